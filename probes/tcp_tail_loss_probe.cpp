// RFC 8985 §7: when the tail of a flight is not acknowledged, the sender
// retransmits its last segment after a probe timeout of about two round trips
// (a tail loss probe), long before the retransmission timeout.
#include "sockspec/counters.h"
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_tail_loss_probe",
      "The route to the scripted peer has rto_min 3000 ms. The peer opens a connection\n"
      "to a listener on its link (MSS 1000, SACK permitted) and the server accept()s it\n"
      "and sends 3000 bytes: three segments. The peer reads them and ACKs the first\n"
      "only, as if the last two were lost. It observes the first segment the kernel\n"
      "sends next, within 5 s (sequence number relative to the kernel's ISN, length),\n"
      "and the growth of TcpExt TCPLossProbes and TCPTimeouts\n"
      "(net.ipv4.tcp_early_retrans is the test's sysctl: 0 turns the probe off).");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    peer.set_route({.rto_min_ms = 3000});
    const std::optional<long long> probes = sockspec::read_net_counter("TcpExt", "TCPLossProbes");
    const std::optional<long long> timeouts = sockspec::read_net_counter("TcpExt", "TCPTimeouts");
    sockspec::PeerFlight f = sockspec::first_flight(p, peer, 1000, true, 3000);
    sockspec::send_ack(peer, f.c.flow, f.kernel_isn + 1 + 1000);

    p.observe("next_segment", sockspec::first_relative(sockspec::receive_data(peer, f.c.flow, 1, 5s), f.kernel_isn));
    p.observe("loss_probes", sockspec::counter_change("TcpExt", "TCPLossProbes", probes));
    p.observe("timeouts", sockspec::counter_change("TcpExt", "TCPTimeouts", timeouts));
  });
}
