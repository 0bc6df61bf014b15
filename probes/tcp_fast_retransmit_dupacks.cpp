// RFC 5681 §3.2: the third duplicate ACK makes the sender retransmit the
// segment it names at once (fast retransmit), not at the retransmission timeout.
#include "sockspec/counters.h"
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fast_retransmit_dupacks",
      "The route to the scripted peer has rto_min 3000 ms, so that no retransmission\n"
      "timeout comes within 1.5 s. The peer opens a connection to a listener on its\n"
      "link (MSS 1000, no SACK) and the server accept()s it and sends 5000 bytes: five\n"
      "segments. The peer reads them and ACKs the first one only, then sends --dupacks\n"
      "duplicate ACKs of it, as if the second were lost. It observes the first segment\n"
      "the kernel then sends within 1.5 s (sequence number relative to the kernel's\n"
      "ISN, length) and the growth of TcpExt TCPTimeouts and TCPFastRetrans.");
  int dupacks = 3;
  probe.option("--dupacks", dupacks, "duplicate ACKs the peer sends").range(0, 10);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    peer.set_route({.rto_min_ms = 3000});
    const std::optional<long long> timeouts = sockspec::read_net_counter("TcpExt", "TCPTimeouts");
    const std::optional<long long> fast = sockspec::read_net_counter("TcpExt", "TCPFastRetrans");
    sockspec::PeerFlight f = sockspec::first_flight(p, peer, 1000, false, 5000);
    const uint32_t second = f.kernel_isn + 1 + 1000;
    sockspec::send_ack(peer, f.c.flow, second);
    for (int i = 0; i < dupacks; ++i) sockspec::send_ack(peer, f.c.flow, second);

    p.observe("next_segment", sockspec::first_relative(sockspec::receive_data(peer, f.c.flow, 1, 1500ms), f.kernel_isn));
    p.observe("timeouts", sockspec::counter_change("TcpExt", "TCPTimeouts", timeouts));
    p.observe("fast_retransmits", sockspec::counter_change("TcpExt", "TCPFastRetrans", fast));
  });
}
