// RFC 5961 §3: an RST is accepted only at exactly RCV.NXT; one elsewhere in
// the window draws a challenge ACK; one outside the window is dropped.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_rst_sequence_check",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The peer sends an RST whose sequence number is, by --seq,\n"
      "exactly the server's RCV.NXT, 1000 past it (in the window) or 10^7 past it\n"
      "(outside the window), then a barrier. It observes what the kernel answered on\n"
      "the connection, the server's TCP state and a non-blocking recv().");
  std::string seq = "in-window";
  probe.option("--seq", seq, "the RST's sequence number: exact, in-window or out-of-window")
      .one_of({"exact", "in-window", "out-of-window"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);

    sockspec::PeerSegment rst = peer.segment(c.flow, sockspec::tcp_flag::kRst);
    rst.seq += seq == "exact" ? 0 : seq == "in-window" ? 1000 : 10000000;
    const size_t before = peer.received().size();
    peer.send(rst);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, c.flow.port));

    p.observe("server_state", sockspec::tcp_state(c.server.get()));
    std::string data;
    p.observe("server_recv", sockspec::ret_or_errno(p.server().recv(c.server.get(), &data, 100, MSG_DONTWAIT)));
  });
}
