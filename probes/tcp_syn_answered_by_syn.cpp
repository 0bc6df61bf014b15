// Simultaneous open (RFC 9293 §3.5, figure 7): a SYN-SENT connection that
// receives a SYN without ACK answers with SYN+ACK and waits in SYN-RECEIVED.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_answered_by_syn",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which reads the kernel's SYN and answers it with a SYN of its own (no ACK),\n"
      "as if both ends had opened at once, then a barrier: the probe observes what\n"
      "the kernel answered and the client's state. The peer then acknowledges the\n"
      "kernel's SYN, a barrier again, and the client poll()s for POLLOUT (up to\n"
      "2 s); the probe observes SO_ERROR and the state. With --synack (the\n"
      "control) the peer answers with a plain SYN+ACK.");
  bool synack = false;
  probe.flag("--synack", synack, "answer the kernel's SYN with SYN+ACK (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    p.observe("connect", sockspec::outcome(open.client.connect));

    const uint8_t flags = synack ? sockspec::tcp_flag::kSyn | sockspec::tcp_flag::kAck : sockspec::tcp_flag::kSyn;
    sockspec::PeerSegment syn = peer.segment(open.flow, flags);
    if (!synack) syn.ack = 0;
    size_t before = peer.received().size();
    peer.send(syn);
    open.flow.snd_nxt += 1;
    peer.answer_then_barrier(open.flow.port, before);  // a SYN+ACK, or the control's ACK
    p.observe("answers_to_syn", sockspec::answers_since(peer, before, open.flow.port));
    p.observe("state_after_syn", sockspec::tcp_state(open.client.fd.get()));

    before = peer.received().size();
    peer.send(peer.segment(open.flow, sockspec::tcp_flag::kAck));
    peer.barrier();
    p.observe("answers_to_ack", sockspec::answers_since(peer, before, open.flow.port));
    sockspec::observe_connect_end(p, open, std::chrono::seconds(2));
  });
}
