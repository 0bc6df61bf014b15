// IP_PKTINFO / IPV6_RECVPKTINFO: each received datagram carries its destination address and interface.
#include <net/if.h>

#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_recv_pktinfo",
      "The server binds a UDP socket to the wildcard address (0.0.0.0 or ::), so the\n"
      "bound address does not say where a datagram was sent, and sets IP_PKTINFO\n"
      "(IPV6_RECVPKTINFO). The client sends one datagram to loopback. The server's\n"
      "recvmsg() gets an IP_PKTINFO (IPV6_PKTINFO) control message: the interface\n"
      "index (lo's, from if_nametoindex()) and the datagram's destination address.\n"
      "--no-pktinfo leaves the option off: no control message comes.");
  bool no_pktinfo = false;
  probe.flag("--no-pktinfo", no_pktinfo, "do not set IP_PKTINFO / IPV6_RECVPKTINFO (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const bool v4 = p.family() == sockspec::Family::kInet;
    sockspec::UniqueFd rx = server.socket(sockspec::af(p.family()), SOCK_DGRAM).fd();
    server.bind(rx.get(), sockspec::SockAddr::any(p.family())).must();
    sockspec::SockAddr bound;
    server.getsockname(rx.get(), &bound).must();
    if (!no_pktinfo) {
      server.setsockopt(rx.get(), v4 ? SOL_IP : SOL_IPV6, v4 ? IP_PKTINFO : IPV6_RECVPKTINFO, 1).must();
    }
    sockspec::BoundUdp tx = sockspec::udp_bound(client, p.family());
    const sockspec::SockAddr to = sockspec::SockAddr::loopback(p.family(), bound.port());
    sockspec::observe_endpoints(p, tx.addr, to);
    p.observe("lo_ifindex", static_cast<int>(if_nametoindex("lo")));
    client.sendto(tx.fd.get(), "where did I go?", 0, to).must();

    sockspec::Message m = sockspec::recv_message(server, rx.get(), 100, 0);
    p.observe("received", m.data);
    const char* key = v4 ? "IP_PKTINFO" : "IPV6_PKTINFO";
    p.observe("pktinfo", m.ancillary.contains(key) ? m.ancillary[key] : nlohmann::json("none"));
    server.close(rx);
    client.close(tx.fd);
  });
}
