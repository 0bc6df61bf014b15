// SEED-6: in a simultaneous close both sides send FIN before receiving the other's, and both end in TIME-WAIT.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_simultaneous_close",
      "The client and then the server close() an established connection, one right\n"
      "after the other. The suite drops each side's first FIN (fault rules naming\n"
      "--port), so both sockets are in FIN-WAIT-1 at once: each sent its FIN before\n"
      "receiving the other's (RFC 9293 3.6, Figure 13). A FIN received in FIN-WAIT-1\n"
      "moves a socket to CLOSING (tcp_fin()), the ACK of its own FIN then to\n"
      "TIME-WAIT; a FIN that already acknowledges ours moves it to TIME-WAIT through\n"
      "FIN-WAIT-2. The probe traces both ends' states through sock_diag until both\n"
      "have settled.");
  const sockspec::LossyPairOptions options(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = options.connected_pair(p);
    sockspec::StateTrace trace(p.af(), conn.client_addr, conn.server_addr);

    client.close(conn.client);
    server.close(conn.server);

    // Settled: neither end still waits for a FIN or an ACK.
    auto done = [&](const sockspec::SockAddr& local, const sockspec::SockAddr& remote) {
      const nlohmann::json st = sockspec::connection_state(p.af(), local, remote);
      return st == "TIME-WAIT" || st == "none";
    };
    const bool settled = sockspec::wait_until(
        [&] { return done(conn.client_addr, conn.server_addr) && done(conn.server_addr, conn.client_addr); }, 5s);
    trace.stop();
    p.observe("settled", settled);
    p.observe("both_fin_wait_1_at_once", trace.both_seen_in("FIN-WAIT-1"));
    p.observe("client_states", trace.states_a());
    p.observe("server_states", trace.states_b());
    p.observe("client_after", sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr));
    p.observe("server_after", sockspec::connection_state(p.af(), conn.server_addr, conn.client_addr));
  });
}
