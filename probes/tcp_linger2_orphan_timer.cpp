// TCP_LINGER2 sets one socket's orphan FIN-WAIT-2 lifetime, in place of net.ipv4.tcp_fin_timeout.
#include <netinet/tcp.h>

#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_linger2_orphan_timer",
      "The client sets TCP_LINGER2 to --linger2 seconds (0: leaves it unset),\n"
      "shuts down its writing half and, once the server has acknowledged the FIN\n"
      "(FIN-WAIT-2), close()s; the server never closes. The orphaned client end\n"
      "waits in FIN-WAIT-2 as a timewait socket whose timer is tcp_fin_time():\n"
      "the socket's TCP_LINGER2 when set, else the namespace's\n"
      "net.ipv4.tcp_fin_timeout. The probe reads that timer through sock_diag;\n"
      "it does not wait it out.");
  int linger2 = 3;
  probe.option("--linger2", linger2, "TCP_LINGER2 in seconds (0: not set)").range(0, 60);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    p.observe("tcp_fin_timeout", sockspec::sysctl_int("net.ipv4.tcp_fin_timeout"));
    if (linger2) client.setsockopt(conn.client.get(), IPPROTO_TCP, TCP_LINGER2, linger2).must();
    // The FIN's ACK must come before close(): one that close() itself
    // processes (its backlog, under the socket's lock) leaves a full socket on
    // the keepalive timer instead of a timewait socket, which a loaded machine
    // sometimes gave. close() in FIN-WAIT-2 always hands over to a timewait socket.
    client.shutdown(conn.client.get(), SHUT_WR).must();
    p.observe("fin_wait_2", sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr,
                                                            "FIN-WAIT-2", 3s));
    client.close(conn.client);
    p.actor("kernel").tcp_sockets(p.af());
    p.observe("client_end", sockspec::describe_connection(p.af(), conn.client_addr, conn.server_addr));
  });
}
