// RFC 9293 §3.8.4: a keep-alive is a segment with SEG.SEQ = SND.NXT-1 and no data.
#include <netinet/tcp.h>

#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_keepalive_probe_sequence",
      "The scripted peer opens a connection to a listener on its link and the server\n"
      "accept()s it and sets SO_KEEPALIVE, TCP_KEEPIDLE 1 s and TCP_KEEPINTVL 1 s.\n"
      "The peer stays silent and waits up to 4 s for a segment from the server. It\n"
      "observes that segment's flags, its sequence number relative to the server's\n"
      "SND.NXT, its acknowledgment number relative to the peer's next sequence number\n"
      "and its length. With --keepalive false (the control) SO_KEEPALIVE stays off.");
  bool keepalive = true;
  probe.option("--keepalive", keepalive, "set SO_KEEPALIVE on the server's socket (false: leave it off)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    const int fd = c.server.get();
    p.server().setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, keepalive ? 1 : 0).must();
    p.server().setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1).must();
    p.server().setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1).must();

    const std::optional<sockspec::PeerSegment> probe_segment = peer.receive(sockspec::on_flow(c.flow), 4s);
    if (!probe_segment) {
      p.observe("keepalive_segment", "none");
      return;
    }
    p.observe("keepalive_segment", {{"flags", probe_segment->flag_names()},
                                    {"seq_from_snd_nxt", static_cast<int32_t>(probe_segment->seq - c.flow.rcv_nxt)},
                                    {"ack_from_peer_nxt", static_cast<int32_t>(probe_segment->ack - c.flow.snd_nxt)},
                                    {"len", probe_segment->payload.size()}});
  });
}
