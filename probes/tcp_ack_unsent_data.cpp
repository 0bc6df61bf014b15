// RFC 9293 §3.10.7.4 (fifth, the ACK field): an ACK for data not yet sent is answered by an ACK and dropped.
#include "sockspec/peer.h"
#include "sockspec/calls.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_ack_unsent_data",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The peer sends 100 bytes at RCV.NXT whose ACK field is\n"
      "100000 past the server's SND.NXT (data the server never sent; by --ack, the\n"
      "control acknowledges SND.NXT), then a barrier. It observes what the kernel\n"
      "answered, the bytes queued on the server (SIOCINQ) and a non-blocking recv().");
  std::string ack = "unsent";
  probe.option("--ack", ack, "the data's acknowledgment number: unsent (past SND.NXT) or snd-nxt")
      .one_of({"unsent", "snd-nxt"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    sockspec::PeerSegment data = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh,
                                              std::string(100, 'x'));
    if (ack == "unsent") data.ack += 100000;
    const size_t before = peer.received().size();
    peer.send(data);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, c.flow.port));
    p.observe("server_queued", sockspec::inq(p.server(), c.server.get()));
    std::string got;
    p.observe("server_recv", sockspec::ret_or_errno(p.server().recv(c.server.get(), &got, 200, MSG_DONTWAIT)));
  });
}
