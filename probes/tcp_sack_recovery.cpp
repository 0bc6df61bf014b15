// RFC 6675 §5: a SACK that shows three segments' worth of data above a hole
// marks the hole lost, and the sender retransmits it at once, on one ACK.
#include "sockspec/counters.h"
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_sack_recovery",
      "The route to the scripted peer has rto_min 3000 ms, so that no retransmission\n"
      "timeout comes within 1.5 s. The peer opens a connection to a listener on its\n"
      "link (MSS 1000, SACK permitted) and the server accept()s it and sends 5000\n"
      "bytes: five segments. The peer reads them and sends one ACK of the first whose\n"
      "SACK block covers segments 3 to 5 (with --no-sack-block: the same ACK without\n"
      "it), as if the second were lost. It observes the first segment the kernel then\n"
      "sends within 1.5 s (sequence number relative to the kernel's ISN, length) and\n"
      "the growth of TcpExt TCPTimeouts and TCPSackRecovery.");
  bool no_sack_block = false;
  probe.flag("--no-sack-block", no_sack_block, "the peer's ACK carries no SACK block");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    peer.set_route({.rto_min_ms = 3000});
    const std::optional<long long> timeouts = sockspec::read_net_counter("TcpExt", "TCPTimeouts");
    const std::optional<long long> recoveries = sockspec::read_net_counter("TcpExt", "TCPSackRecovery");
    sockspec::PeerFlight f = sockspec::first_flight(p, peer, 1000, true, 5000);
    std::vector<std::pair<uint32_t, uint32_t>> above_hole;
    if (!no_sack_block) above_hole.emplace_back(f.kernel_isn + 1 + 2000, f.kernel_isn + 1 + 5000);
    sockspec::send_ack(peer, f.c.flow, f.kernel_isn + 1 + 1000, 65535, above_hole);

    p.observe("next_segment", sockspec::first_relative(sockspec::receive_data(peer, f.c.flow, 1, 1500ms), f.kernel_isn));
    p.observe("timeouts", sockspec::counter_change("TcpExt", "TCPTimeouts", timeouts));
    p.observe("sack_recoveries", sockspec::counter_change("TcpExt", "TCPSackRecovery", recoveries));
  });
}
