// RFC 9293 §3.10.7.4: data outside the receive window is dropped and answered by an ACK for RCV.NXT.
#include "sockspec/peer.h"
#include "sockspec/calls.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_data_outside_window",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The peer sends 100 bytes whose sequence number is 10^7\n"
      "past the server's RCV.NXT (far outside its window), then a barrier. It\n"
      "observes what the kernel answered, the bytes queued on the server (SIOCINQ)\n"
      "and a non-blocking recv(). With --seq in-window (the control) the bytes start\n"
      "at RCV.NXT.");
  std::string seq = "outside";
  probe.option("--seq", seq, "where the data starts: outside the window, or in-window (at RCV.NXT)")
      .one_of({"outside", "in-window"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    sockspec::PeerSegment data = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh,
                                              std::string(100, 'x'));
    if (seq == "outside") data.seq += 10000000;
    const size_t before = peer.received().size();
    peer.send(data);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, c.flow.port));
    p.observe("server_queued", sockspec::inq(p.server(), c.server.get()));
    std::string got;
    p.observe("server_recv", sockspec::ret_or_errno(p.server().recv(c.server.get(), &got, 200, MSG_DONTWAIT)));
  });
}
