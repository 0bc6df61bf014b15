// RFC 5961 §4: a SYN on a synchronized connection draws a challenge ACK, not a reset.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_on_established",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The peer sends a SYN on that connection (its port, a\n"
      "sequence number 100 into the window), waits up to 2 s for an answer, then\n"
      "a barrier. It observes what the kernel answered and the server's TCP state.\n"
      "With --established false (the\n"
      "control) the SYN comes from a port with no connection: a listener answers it\n"
      "with SYN+ACK.");
  bool established = true;
  probe.option("--established", established, "send the SYN on the established connection (false: from a fresh port)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 2);
    sockspec::PeerFlow flow = peer.connect(5555, listener.addr);
    sockspec::UniqueFd server = p.server().accept(listener.fd.get()).fd();

    sockspec::PeerSegment syn = peer.segment(flow, sockspec::tcp_flag::kSyn);
    syn.seq += 100;
    syn.ack = 0;
    if (!established) syn.sport = 5556;
    const size_t before = peer.received().size();
    peer.send(syn);
    peer.answer_then_barrier(syn.sport, before);  // both variants draw an answer on Linux
    p.observe("answers", sockspec::answers_since(peer, before, syn.sport));
    p.observe("server_state", sockspec::tcp_state(server.get()));
    p.server().close(listener.fd);
  });
}
