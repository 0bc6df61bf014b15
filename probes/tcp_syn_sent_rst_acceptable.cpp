// RFC 9293 §3.10.7.3: in SYN-SENT an RST counts only if its ACK acknowledges the SYN.
#include "sockspec/peer.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_sent_rst_acceptable",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which reads the kernel's SYN and answers it with RST+ACK whose ACK number\n"
      "is --ack-offset past the kernel's ISS + 1 (0: it acknowledges the SYN), then\n"
      "a barrier. The client poll()s for POLLOUT (up to 2 s) and reads SO_ERROR;\n"
      "the probe observes what the kernel answered and the client's TCP state.\n"
      "With --ack-offset 1000 (the control) the RST is not acceptable: the kernel\n"
      "ignores it and stays in SYN-SENT.");
  int ack_offset = 0;
  probe.option("--ack-offset", ack_offset, "added to the acceptable ACK number of the peer's RST+ACK")
      .range(0, 1000000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    p.observe("connect", sockspec::outcome(open.client.connect));

    // A reset to a SYN carries seq 0 (RFC 9293 §3.10.7.1): only its ACK can make it acceptable.
    sockspec::PeerSegment rst = peer.segment(open.flow, sockspec::tcp_flag::kRst | sockspec::tcp_flag::kAck);
    rst.seq = 0;
    rst.window = 0;
    rst.ack += static_cast<uint32_t>(ack_offset);
    const size_t before = peer.received().size();
    peer.send(rst);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, open.flow.port));
    sockspec::observe_connect_end(p, open, std::chrono::seconds(2));
  });
}
