// RFC 9293 §3.8.6.1: a sender facing a zero window probes it, at intervals
// that back off like retransmissions, until the window opens.
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_zero_window_probe_backoff",
      "The scripted peer opens a connection to a listener on its link and the server\n"
      "accept()s it. The peer sends one byte, then one whose segment advertises window --window\n"
      "(0: closed). The server sends 100 bytes. The peer reads what the kernel sends:\n"
      "each zero-window probe (no data) it answers with an ACK that keeps the window\n"
      "closed, until --probes came; then it opens the window (65535) and reads the\n"
      "data. It observes the probes' sequence numbers (relative to the kernel's ISN)\n"
      "and lengths, and the data that came after the window opened.");
  int window = 0, probes = 3;
  probe.option("--window", window, "the window the peer's byte advertises").range(0, 65535);
  probe.option("--probes", probes, "zero-window probes to answer before the window opens").range(1, 6);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    const uint32_t kernel_isn = c.flow.rcv_nxt - 1;
    // A window takes effect from a segment past SND.WL1 (the handshake's ACK):
    // 5.10 ignores a smaller window on a segment at SND.WL1 itself.
    peer.send_data(c.flow, "v");
    sockspec::PeerSegment closing = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh, "w");
    closing.window = static_cast<uint16_t>(window);
    peer.send(closing);
    c.flow.snd_nxt += 1;
    p.server().send(c.server.get(), std::string(100, 'z')).must();

    nlohmann::json seen = nlohmann::json::array();
    size_t data_bytes = 0;
    const std::function<bool(const sockspec::PeerSegment&)> on = sockspec::on_flow(c.flow, sockspec::tcp_flag::kAck);
    auto not_our_bytes_ack = [&](const sockspec::PeerSegment& s) { return on(s) && (s.payload.size() || s.seq != c.flow.rcv_nxt); };
    while (seen.size() < static_cast<size_t>(probes) && data_bytes == 0) {
      const std::optional<sockspec::PeerSegment> s = peer.receive(not_our_bytes_ack, 10s);
      if (!s) break;
      seen.push_back({{"seq", s->seq - kernel_isn}, {"len", s->payload.size()}});
      data_bytes += s->payload.size();
      sockspec::Peer::track(c.flow, *s);
      sockspec::send_ack(peer, c.flow, kernel_isn + 1, static_cast<uint16_t>(window));
    }
    p.observe("probes", seen);
    if (data_bytes == 0) {
      sockspec::send_ack(peer, c.flow, kernel_isn + 1, 65535);
      for (const auto& s : sockspec::receive_data(peer, c.flow, 1, 3s)) data_bytes += s.payload.size();
    }
    p.observe("data_bytes", data_bytes);
  });
}
