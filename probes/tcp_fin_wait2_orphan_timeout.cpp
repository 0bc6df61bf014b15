// An orphaned FIN-WAIT-2 socket lasts net.ipv4.tcp_fin_timeout.
#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fin_wait2_orphan_timeout",
      "The client close()s; the server acknowledges the FIN but never closes. The\n"
      "client's socket, closed by its application (orphaned), waits in FIN-WAIT-2\n"
      "for the peer's FIN only net.ipv4.tcp_fin_timeout seconds (or TCP_LINGER2):\n"
      "Linux turns it into a timewait socket in substate FIN-WAIT-2 with that timer\n"
      "(tcp_rcv_state_process(), tcp_time_wait()). The probe reads the timer through\n"
      "sock_diag and waits until the socket is gone. With --shutdown the client uses\n"
      "shutdown(SHUT_WR) and keeps its descriptor: not orphaned, no such timer.");
  bool use_shutdown = false;
  probe.flag("--shutdown", use_shutdown, "shutdown(SHUT_WR) instead of close(): not orphaned");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);
    p.observe("tcp_fin_timeout", std::stoi(sockspec::read_sysctl("net.ipv4.tcp_fin_timeout").value_or("-1")));

    if (use_shutdown) client.shutdown(conn.client.get(), SHUT_WR).must();
    else client.close(conn.client);
    const bool fw2 = tc::wait_state(p.af(), conn.client_addr, conn.server_addr, "FIN-WAIT-2", 3s);
    const auto t0 = std::chrono::steady_clock::now();
    p.actor("kernel").tcp_sockets(p.af());
    auto end = tc::find(p.af(), conn.client_addr, conn.server_addr);
    p.observe("fin_wait_2", fw2);
    p.observe("client_end", end ? end->to_json() : nlohmann::json{{"state", "none"}});
    p.observe("server_state", tc::fd_state(conn.server.get()));
    if (use_shutdown) return;

    const bool gone = tc::wait_state(p.af(), conn.client_addr, conn.server_addr, "none", 70s);
    const auto lived = std::chrono::steady_clock::now() - t0;
    p.actor("kernel").tcp_sockets(p.af());
    p.observe("gone", gone);
    p.observe("lived_ms", std::chrono::duration_cast<std::chrono::milliseconds>(lived).count());
    p.observe("server_state_after", tc::fd_state(conn.server.get()));
  });
}
