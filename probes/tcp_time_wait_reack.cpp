// SEED-5: the TIME-WAIT side acknowledges again a FIN retransmitted because its last ACK was lost.
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_time_wait_reack",
      "The server close()s first (it will be in TIME-WAIT); the client reads EOF and\n"
      "close()s (LAST-ACK). When the server's last ACK is lost (the suite drops the\n"
      "server's first pure ACK with a fault rule naming --port), the client retransmits\n"
      "its FIN after its retransmission timeout and the server's TIME-WAIT socket\n"
      "answers it with a new ACK (tcp_timewait_state_process(): TCP_TW_ACK), which\n"
      "is why TIME-WAIT exists (RFC 9293 3.6.1). The probe reads the client's state\n"
      "when it closes (CLOSE-WAIT: it stays there until close()) and waits through\n"
      "sock_diag until the client's socket is gone.");
  const sockspec::LossyPairOptions options(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = options.connected_pair(p);

    server.close(conn.server);
    std::string ignored;
    p.observe("client_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    // Read here, not sampled later: CLOSE-WAIT lasts until our close(), while
    // the LAST-ACK that close() starts may be over before a sampler looks.
    p.observe("client_state_at_close", sockspec::tcp_state(conn.client.get()));
    client.close(conn.client);

    // The connection has settled when the client's (LAST-ACK) socket is gone:
    // its FIN was acknowledged, by the first ACK or by a later one.
    const nlohmann::json settled = sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "none", 5s);
    p.observe("settled", settled);
    p.observe("server_after", sockspec::connection_state(p.af(), conn.server_addr, conn.client_addr));
  });
}
