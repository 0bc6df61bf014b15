// SEED-4, SEED-6: only the side that closes first enters TIME_WAIT, and for how long.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_time_wait",
      "One side (--closer) close()s an established connection; the other reads EOF and\n"
      "closes too. The probe then reads every TCP socket of the namespace through\n"
      "sock_diag, waiting until the connection has settled (the passive side's socket\n"
      "gone), and reports each end's state and the TIME_WAIT timer's remaining time.\n"
      "It never waits the timer out. With --linger-zero the closer sets SO_LINGER\n"
      "{on, 0}: close() then sends RST and no TIME_WAIT remains.");
  std::string closer = "client";
  bool linger_zero = false;
  probe.option("--closer", closer, "the side that closes first: client or server")
      .one_of({"client", "server"});
  probe.flag("--linger-zero", linger_zero, "the closer sets SO_LINGER {1, 0} before close()");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    p.server().close(listener.fd);

    const bool client_first = closer == "client";
    sockspec::Actor& active = client_first ? p.client() : p.server();
    sockspec::Actor& passive = client_first ? p.server() : p.client();
    sockspec::UniqueFd& active_fd = client_first ? conn.client : conn.server;
    sockspec::UniqueFd& passive_fd = client_first ? conn.server : conn.client;
    const sockspec::SockAddr active_addr = client_first ? conn.client_addr : conn.server_addr;
    const sockspec::SockAddr passive_addr = client_first ? conn.server_addr : conn.client_addr;

    if (linger_zero) active.set_linger(active_fd.get(), 1, 0).must();
    active.close(active_fd);
    std::string ignored;
    sockspec::SysResult r = passive.recv(passive_fd.get(), &ignored, 100);
    p.observe("passive_read", r.ok() ? std::to_string(r.ret) : sockspec::errno_name(r.err));
    passive.close(passive_fd);

    // The connection has settled when the passive end's socket is gone: its
    // FIN was acknowledged (or it was reset).
    auto find = [](const std::vector<sockspec::TcpSocketState>& all, const sockspec::SockAddr& local) {
      for (const auto& s : all)
        if (s.local.to_string() == local.to_string() && s.state_name != "LISTEN") return &s - all.data();
      return static_cast<long>(-1);
    };
    sockspec::wait_until([&] { return find(sockspec::list_tcp_sockets(p.af()), passive_addr) < 0; }, 5s);
    const std::vector<sockspec::TcpSocketState> sockets = p.actor("kernel").tcp_sockets(p.af());

    auto describe = [&](const sockspec::SockAddr& local) -> nlohmann::json {
      const long i = find(sockets, local);
      if (i < 0) return {{"state", "none"}};
      return sockets[i].to_json();
    };
    p.observe("closer", closer);
    p.observe("active", describe(active_addr));
    p.observe("passive", describe(passive_addr));
    p.observe("tcp_fin_timeout", std::stoi(sockspec::read_sysctl("net.ipv4.tcp_fin_timeout").value_or("-1")));
  });
}
