// RFC 5961 §7: challenge ACKs are rate-limited (net.ipv4.tcp_challenge_ack_limit per second).
#include "sockspec/peer.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_challenge_ack_limit",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The peer sends --rsts RSTs back to back, each inside the\n"
      "window but not at RCV.NXT, then a barrier. It observes how many segments the\n"
      "kernel answered with. The suite sets net.ipv4.tcp_challenge_ack_limit and\n"
      "turns off the per-socket limit (net.ipv4.tcp_invalid_ratelimit=0).");
  int rsts = 4;
  probe.option("--rsts", rsts, "how many in-window RSTs the peer sends").range(1, 50);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    const size_t before = peer.received().size();
    for (int i = 0; i < rsts; ++i) {
      sockspec::PeerSegment rst = peer.segment(c.flow, sockspec::tcp_flag::kRst);
      rst.seq += 1000 + static_cast<uint32_t>(i);
      peer.send(rst);
    }
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, c.flow.port));
  });
}
