// A FIN whose acknowledgement is lost is retransmitted until it is acknowledged.
#include "sockspec/observed.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fin_retransmitted",
      "The client close()s first; the server neither reads nor closes. The suite\n"
      "drops the server's first pure ACK (a fault rule naming --port), which is\n"
      "the acknowledgement of the client's FIN. The client's end stays in\n"
      "FIN-WAIT-1 until its retransmission timer sends the FIN again and the new\n"
      "ACK arrives; the probe waits through sock_diag until the client's end is\n"
      "in FIN-WAIT-2 (where sock_diag fails, until the server is in CLOSE-WAIT) and\n"
      "reads the server's state (CLOSE-WAIT from the first FIN).");
  const sockspec::PortOption listener_port(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Connection conn = sockspec::connected_pair(p, listener_port.listen(p));
    p.client().close(conn.client);
    // Where sock_diag cannot show the client's end (gVisor), the server's own
    // state shows that the FIN has arrived.
    if (sockspec::is_unobservable(
            sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "FIN-WAIT-2", 10s)))
      sockspec::wait_tcp_state(conn.server.get(), "CLOSE-WAIT", 10s);
    p.observe("client_state", sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr));
    p.observe("server_state", sockspec::tcp_state(conn.server.get()));
  });
}
