// A dual-stack [::]:port also holds 0.0.0.0:port; with IPV6_V6ONLY both binds succeed.
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("ipv6_v6only_bind_conflict",
      "An IPv4 UDP socket binds 0.0.0.0:0 and the kernel gives it a port. Then an\n"
      "AF_INET6 UDP socket, IPV6_V6ONLY set to --v6only, binds [::] and that port.\n"
      "Dual stack (0) the IPv6 wildcard covers IPv4 too, so the port is taken:\n"
      "EADDRINUSE. With IPV6_V6ONLY (1) the IPv6 socket claims only IPv6 and the bind\n"
      "succeeds. Then the order is reversed on a fresh port: the IPv6 socket binds\n"
      "[::]:0 first and an IPv4 socket tries 0.0.0.0 on its port.");
  int v6only = 0;
  probe.option("--v6only", v6only, "IPV6_V6ONLY on the IPv6 sockets").range(0, 1);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    const sockspec::Family v4 = sockspec::Family::kInet, v6 = sockspec::Family::kInet6;
    sockspec::UniqueFd first4 = server.socket(AF_INET, SOCK_DGRAM).fd();
    server.bind(first4.get(), sockspec::SockAddr::any(v4)).must();
    sockspec::SockAddr taken;
    server.getsockname(first4.get(), &taken).must();
    sockspec::UniqueFd then6 = server.socket(AF_INET6, SOCK_DGRAM).fd();
    server.setsockopt(then6.get(), IPPROTO_IPV6, IPV6_V6ONLY, v6only).must();
    p.observe("ipv6_bind_after_ipv4", sockspec::outcome(server.bind(then6.get(), sockspec::SockAddr::any(v6, taken.port()))));

    sockspec::UniqueFd first6 = server.socket(AF_INET6, SOCK_DGRAM).fd();
    server.setsockopt(first6.get(), IPPROTO_IPV6, IPV6_V6ONLY, v6only).must();
    server.bind(first6.get(), sockspec::SockAddr::any(v6)).must();
    server.getsockname(first6.get(), &taken).must();
    sockspec::UniqueFd then4 = server.socket(AF_INET, SOCK_DGRAM).fd();
    p.observe("ipv4_bind_after_ipv6", sockspec::outcome(server.bind(then4.get(), sockspec::SockAddr::any(v4, taken.port()))));
    for (sockspec::UniqueFd* fd : {&first4, &then6, &first6, &then4}) server.close(*fd);
  });
}
