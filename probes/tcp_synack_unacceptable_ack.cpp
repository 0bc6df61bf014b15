// RFC 9293 §3.10.7.3: in SYN-SENT a SYN+ACK whose ACK is not acceptable is answered
// by <SEQ=SEG.ACK><CTL=RST> and otherwise dropped; the connection goes on waiting.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_unacceptable_ack",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which reads the kernel's SYN and answers it with a SYN+ACK whose ACK number\n"
      "is --ack-offset past the right one (the kernel's ISS + 1), then a barrier.\n"
      "It observes what the kernel answered and the client's TCP state. With\n"
      "--ack-offset 0 (the control) the ACK is acceptable: the kernel ACKs the\n"
      "SYN+ACK and the connection is established.");
  int ack_offset = 1000;
  probe.option("--ack-offset", ack_offset, "added to the acceptable ACK number of the peer's SYN+ACK")
      .range(0, 1000000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    p.observe("connect", sockspec::outcome(open.client.connect));

    sockspec::PeerSegment synack = peer.segment(open.flow, sockspec::tcp_flag::kSyn | sockspec::tcp_flag::kAck);
    synack.ack += static_cast<uint32_t>(ack_offset);
    const size_t before = peer.received().size();
    peer.send(synack);
    peer.answer_then_barrier(open.flow.port, before);  // an RST, or the control's ACK
    p.observe("answers", sockspec::answers_since(peer, before, open.flow.port));
    p.observe("client_state", sockspec::tcp_state(open.client.fd.get()));
  });
}
