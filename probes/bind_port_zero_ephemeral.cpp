// bind() to port 0 gives a port from the namespace's net.ipv4.ip_local_port_range.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_port_zero_ephemeral",
      "The probe binds --sockets TCP sockets to loopback port 0 and reads each one's port\n"
      "with getsockname(). The kernel picks each from the namespace's\n"
      "net.ipv4.ip_local_port_range (also for IPv6), which the probe reads and reports;\n"
      "once every port of the range is taken, bind() fails with EADDRINUSE\n"
      "(net/ipv4/inet_connection_sock.c inet_csk_find_open_port()). The first socket\n"
      "then listens and a client connects to it; the client's own port comes from the\n"
      "same range, so when the range is used up its connect() fails (EADDRNOTAVAIL).");
  int sockets = 4;
  probe.option("--sockets", sockets, "sockets to bind to port 0")
      .range(1, 64);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    const auto [low, high] = sockspec::socket_api::local_port_range();
    p.observe("port_range", {low, high});
    std::vector<sockspec::UniqueFd> fds;
    nlohmann::json binds = nlohmann::json::array();
    for (int i = 0; i < sockets; ++i) {
      fds.push_back(server.socket(p.af(), SOCK_STREAM).fd());
      sockspec::SysResult b = server.bind(fds.back().get(), p.loopback(0));
      sockspec::SockAddr local;
      server.getsockname(fds.back().get(), &local).must();
      binds.push_back({{"bind", sockspec::outcome(b)}, {"port", local.port()}});
    }
    p.observe("binds", binds);
    if (binds[0]["bind"] != "ok") return;

    server.listen(fds[0].get(), 4).must();
    const sockspec::SockAddr target = p.loopback(binds[0]["port"].get<uint16_t>());
    sockspec::UniqueFd client = p.client().socket(p.af(), SOCK_STREAM).fd();
    sockspec::SysResult c = p.client().connect(client.get(), target);
    p.observe("client_connect", sockspec::outcome(c));
    if (c.ok()) {
      sockspec::SockAddr local;
      p.client().getsockname(client.get(), &local).must();
      sockspec::observe_endpoints(p, local, target);
      p.observe("client_port", local.port());
      sockspec::UniqueFd accepted = server.accept(fds[0].get()).fd();
      server.close(accepted);
    }
    p.client().close(client);
    for (auto& fd : fds) server.close(fd);
  });
}
