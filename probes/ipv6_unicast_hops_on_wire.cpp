// IPV6_UNICAST_HOPS: the client's packets leave with the hop limit it set; the server's with lo's default.
#include <netinet/in.h>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("ipv6_unicast_hops_on_wire",
      "The client sets IPV6_UNICAST_HOPS to --hops before connect(), connects, sends a\n"
      "request and reads the server's answer; the server closes first. Every IPv6\n"
      "packet the client sends, the SYN included, carries that hop limit; the\n"
      "server's carry the interface's\n"
      "net.ipv6.conf.lo.hop_limit, which the probe reads. With --hops 0 the client\n"
      "leaves IPV6_UNICAST_HOPS at its default.");
  int hops = 7;
  probe.option("--hops", hops, "IPV6_UNICAST_HOPS on the client (0: leave the default)").range(0, 255);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (hops) client.setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops).must();
    });
    p.observe("client_hops", sockspec::sockopt_int(client, conn.client.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS));
    p.observe("default_hops", sockspec::sysctl_int("net.ipv6.conf.lo.hop_limit"));
    sockspec::request_response(p, conn, 100);
    sockspec::server_closes_first(p, conn);
  });
}
