// RFC 2018 §4, RFC 2883 §4: a receiver holding data past a hole reports it in
// SACK blocks of its ACKs, and a duplicate segment in a D-SACK block.
#include "sockspec/peer.h"

using namespace std::chrono_literals;

namespace {

// An ACK as the observation says it: its ack and SACK edges relative to the
// peer's initial sequence number (the first data byte is 1, as in the capture).
nlohmann::json ack_relative(const std::optional<sockspec::PeerSegment>& ack, uint32_t isn) {
  if (!ack) return "none";
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& [left, right] : ack->options.sack) blocks.push_back({left - isn, right - isn});
  return {{"ack", ack->ack - isn}, {"sack", blocks}};
}

}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_sack_blocks",
      "The scripted peer opens a connection to a listener on the peer's link, its SYN\n"
      "offering SACK (unless --no-sack-permitted), and the server accept()s it but\n"
      "does not read. The peer sends bytes 101-200 (the hole is 1-100), then 1-100,\n"
      "then 1-100 again, a duplicate. After each it reads the kernel's ACK and\n"
      "observes its acknowledgment number and SACK blocks, relative to the peer's ISN.");
  bool no_sack_permitted = false;
  probe.flag("--no-sack-permitted", no_sack_permitted, "the peer's SYN carries no SACK-permitted option");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::TcpOptions syn;
    syn.mss = 1000;
    syn.sack_permitted = !no_sack_permitted;
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    const uint32_t isn = c.flow.snd_nxt - 1;
    const std::string first(100, 'a'), second(100, 'b');
    auto ack_after = [&](sockspec::PeerSegment s) {
      peer.send(s);
      return ack_relative(peer.receive(sockspec::on_flow(c.flow, sockspec::tcp_flag::kAck), 2s), isn);
    };

    sockspec::PeerSegment past_hole = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh, second);
    past_hole.seq += static_cast<uint32_t>(first.size());
    p.observe("ack_of_out_of_order", ack_after(past_hole));
    const sockspec::PeerSegment filling = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh, first);
    p.observe("ack_of_filling", ack_after(filling));
    p.observe("ack_of_duplicate", ack_after(filling));
  });
}
