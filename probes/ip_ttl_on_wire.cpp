// IP_TTL: the client's packets leave with the TTL it set; the server's with the default.
#include <netinet/in.h>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("ip_ttl_on_wire",
      "The client sets IP_TTL to --ttl before connect(), connects, sends a request and\n"
      "reads the server's answer; the server closes first. Every IPv4 packet the\n"
      "client sends, the SYN included, carries that TTL; the server's carry\n"
      "net.ipv4.ip_default_ttl, which the probe reads. With --ttl 0 the client leaves\n"
      "IP_TTL at its default.");
  int ttl = 7;
  probe.option("--ttl", ttl, "IP_TTL on the client (0: leave the default)").range(0, 255);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (ttl) client.setsockopt(fd, IPPROTO_IP, IP_TTL, ttl).must();
    });
    p.observe("client_ttl", sockspec::sockopt_int(client, conn.client.get(), IPPROTO_IP, IP_TTL));
    p.observe("default_ttl", sockspec::sysctl_int("net.ipv4.ip_default_ttl"));
    sockspec::request_response(p, conn, 100);
    sockspec::server_closes_first(p, conn);
  });
}
