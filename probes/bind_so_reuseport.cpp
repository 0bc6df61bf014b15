// SO_REUSEPORT lets several listeners bind one port; the kernel spreads
// incoming connections between them.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_so_reuseport",
      "Two TCP sockets set SO_REUSEPORT (unless --no-reuseport), bind the same loopback\n"
      "port and listen; a third socket without SO_REUSEPORT tries the same port.\n"
      "--clients clients then connect to the port one after another, and the probe\n"
      "accepts (non-blocking) on each listener, reporting which listener took which\n"
      "client. The kernel picks a listener by a hash of the connection's addresses and\n"
      "ports (net/core/sock_reuseport.c reuseport_select_sock()).");
  int clients = 24;
  bool no_reuseport = false;
  probe.option("--clients", clients, "clients that connect to the shared port")
      .range(1, 64);
  probe.flag("--no-reuseport", no_reuseport, "neither listener sets SO_REUSEPORT");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace sa = sockspec::socket_api;
    sockspec::Actor& server = p.server();
    sockspec::UniqueFd listeners[2];
    nlohmann::json setup = nlohmann::json::array();
    sockspec::SockAddr addr = p.loopback(0);
    for (int i = 0; i < 2; ++i) {
      listeners[i] = server.socket(p.af(), SOCK_STREAM).fd();
      if (!no_reuseport) server.setsockopt(listeners[i].get(), SOL_SOCKET, SO_REUSEPORT, 1).must();
      sockspec::SysResult b = server.bind(listeners[i].get(), addr);
      sockspec::SysResult l = b.ok() ? server.listen(listeners[i].get(), 64) : b;
      if (i == 0) server.getsockname(listeners[0].get(), &addr).must();
      setup.push_back({{"bind", sockspec::outcome(b)}, {"listen", sockspec::outcome(l)}});
      server.set_nonblocking(listeners[i].get()).must();
    }
    sockspec::UniqueFd plain = server.socket(p.af(), SOCK_STREAM).fd();
    p.observe("listeners", setup);
    p.observe("bind_without_reuseport", sockspec::outcome(server.bind(plain.get(), addr)));
    p.observe("server_addr", addr.to_string());

    std::vector<sockspec::UniqueFd> conns;
    nlohmann::json client_addrs = nlohmann::json::array();
    for (int i = 0; i < clients; ++i) {
      sockspec::Actor& client = p.actor("client-" + std::to_string(i + 1));
      conns.push_back(sockspec::connect_to(client, addr));
      sockspec::SockAddr local;
      client.getsockname(conns.back().get(), &local).must();
      client_addrs.push_back(local.to_string());
    }
    p.observe("client_addrs", client_addrs);
    p.observe("client_addr", client_addrs[0]);

    // Accept until every client has been taken by one listener or the other.
    nlohmann::json accepted_by = nlohmann::json::object();
    int total = 0;
    sockspec::wait_until([&] {
      for (int i = 0; i < 2; ++i) {
        sockspec::SockAddr peer;
        sockspec::SysResult a = server.accept(listeners[i].get(), &peer);
        if (!a.ok()) continue;
        sockspec::UniqueFd fd = a.fd();
        accepted_by[peer.to_string()] = i;
        ++total;
        server.close(fd);
      }
      return total == clients;
    }, 5s);
    p.observe("accepted_by", accepted_by);
    nlohmann::json counts = {0, 0};
    for (auto& [peer, i] : accepted_by.items()) counts[i.get<int>()] = counts[i.get<int>()].get<int>() + 1;
    p.observe("accepted_counts", counts);
    for (size_t i = 0; i < conns.size(); ++i) p.actor("client-" + std::to_string(i + 1)).close(conns[i]);
  });
}
