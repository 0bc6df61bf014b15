// RFC 7323 §5 (PAWS): a segment whose TSval is older than the last one accepted is dropped, and acknowledged.
#include "sockspec/peer.h"
#include "sockspec/calls.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_paws_old_timestamp",
      "The scripted peer opens a connection with the timestamp option (TSval 1000000)\n"
      "to a listener on the peer's link and the server accept()s it. The peer sends\n"
      "100 bytes at RCV.NXT with a TSval 1000 below the last one it sent (by --tsval;\n"
      "the control, newer, is 1 above), then a barrier. It observes what the kernel\n"
      "answered, the bytes queued on the server (SIOCINQ) and a non-blocking recv().");
  std::string tsval = "older";
  probe.option("--tsval", tsval, "the data's TSval against the last one sent: older or newer")
      .one_of({"older", "newer"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::TcpOptions syn;
    syn.timestamp = std::make_pair(1000000u, 0u);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    p.observe("timestamps_negotiated", c.flow.timestamps.has_value());
    sockspec::PeerSegment data = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh,
                                              std::string(100, 'x'));
    if (data.options.timestamp) data.options.timestamp->first = tsval == "older" ? 1000000u - 1000u : 1000002u;
    const size_t before = peer.received().size();
    peer.send(data);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, c.flow.port));
    p.observe("server_queued", sockspec::inq(p.server(), c.server.get()));
    std::string got;
    p.observe("server_recv", sockspec::ret_or_errno(p.server().recv(c.server.get(), &got, 200, MSG_DONTWAIT)));
  });
}
