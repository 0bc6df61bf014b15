// TCP_LINGER2 sets one socket's orphan FIN-WAIT-2 lifetime, in place of net.ipv4.tcp_fin_timeout.
#include <netinet/tcp.h>

#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_linger2_orphan_timer",
      "The client sets TCP_LINGER2 to --linger2 seconds (0: leaves it unset) and\n"
      "close()s; the server acknowledges the FIN but never closes. The orphaned\n"
      "client end waits in FIN-WAIT-2 as a timewait socket whose timer is\n"
      "tcp_fin_time(): the socket's TCP_LINGER2 when set, else the namespace's\n"
      "net.ipv4.tcp_fin_timeout. The probe reads that timer through sock_diag\n"
      "once the client's end is in FIN-WAIT-2; it does not wait it out.");
  int linger2 = 3;
  probe.option("--linger2", linger2, "TCP_LINGER2 in seconds (0: not set)").range(0, 60);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    p.observe("tcp_fin_timeout", sockspec::sysctl_int("net.ipv4.tcp_fin_timeout"));
    if (linger2) client.setsockopt(conn.client.get(), IPPROTO_TCP, TCP_LINGER2, linger2).must();
    client.close(conn.client);
    p.observe("fin_wait_2", sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr,
                                                            "FIN-WAIT-2", 3s));
    p.actor("kernel").tcp_sockets(p.af());
    p.observe("client_end", sockspec::describe_connection(p.af(), conn.client_addr, conn.server_addr));
  });
}
