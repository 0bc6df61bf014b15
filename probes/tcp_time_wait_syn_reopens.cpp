// RFC 9293 §3.10.7.4 and RFC 6191 §2: a SYN to a TIME-WAIT socket whose
// sequence number is above the old connection's RCV.NXT may open a new one.
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_time_wait_syn_reopens",
      "The scripted peer opens a connection to a listener on its link (no timestamps)\n"
      "and the server accept()s it and close()s: the peer reads its FIN, answers with\n"
      "FIN+ACK and reads the ACK, which leaves the server's end in TIME-WAIT. The\n"
      "listener stays open. The peer then sends a SYN from the same port whose\n"
      "sequence number is 100000 above the old connection's end (--lower: below it),\n"
      "then a barrier. It observes the flags of what the kernel answered.");
  bool lower = false;
  probe.flag("--lower", lower, "the new SYN's sequence number is below the old connection's end");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 2);
    sockspec::PeerFlow flow = peer.connect(5555, listener.addr);
    sockspec::UniqueFd server = p.server().accept(listener.fd.get()).fd();

    p.server().close(server);
    const std::optional<sockspec::PeerSegment> fin = peer.receive(sockspec::on_flow(flow, sockspec::tcp_flag::kFin), 3s);
    if (!fin) throw sockspec::EnvironmentFailure("the server's FIN to the peer", ETIMEDOUT);
    sockspec::Peer::track(flow, *fin);
    peer.send(peer.segment(flow, sockspec::tcp_flag::kFin | sockspec::tcp_flag::kAck));
    flow.snd_nxt += 1;
    const uint32_t end = flow.snd_nxt;
    if (!peer.receive([&](const sockspec::PeerSegment& s) { return sockspec::on_flow(flow)(s) && s.ack == end; }, 3s))
      throw sockspec::EnvironmentFailure("the server's ACK of the peer's FIN", ETIMEDOUT);

    sockspec::PeerSegment syn = peer.segment(flow, sockspec::tcp_flag::kSyn);
    syn.seq = lower ? end - 100000 : end + 100000;
    syn.ack = 0;
    const size_t before = peer.received().size();
    peer.send(syn);
    peer.answer_then_barrier(flow.port, before);  // a SYN+ACK, or the control's ACK
    p.observe("answers", sockspec::answers_since(peer, before, flow.port));
    p.server().close(listener.fd);
  });
}
