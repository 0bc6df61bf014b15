// RFC 9293 §3.10.7.4: an ACK below SND.UNA is a duplicate and is ignored:
// neither its acknowledgment nor its window changes what the sender does.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_old_ack_ignored",
      "The scripted peer opens a connection to a listener on its link (MSS 1000) and\n"
      "the server accept()s it and sends 2000 bytes, which the peer reads and\n"
      "acknowledges, then a barrier. The peer then sends a byte, and one whose segment\n"
      "advertises window 0 and acknowledges only the first 1000 bytes, below SND.UNA\n"
      "(with --current-ack: all 2000). The server sends 500 bytes more. It observes\n"
      "the server's send window (TCP_INFO snd_wnd) and the first data segment the\n"
      "kernel sends within 1 s (relative sequence number, length), or none.");
  bool current_ack = false;
  probe.flag("--current-ack", current_ack, "the window-0 segment acknowledges SND.UNA, not below it");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::TcpOptions syn;
    syn.mss = 1000;
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    const uint32_t kernel_isn = c.flow.rcv_nxt - 1;
    p.server().send(c.server.get(), std::string(2000, 'k')).must();
    sockspec::receive_data(peer, c.flow, 2, 3s);
    sockspec::send_ack(peer, c.flow, c.flow.rcv_nxt);
    peer.barrier();

    // A window takes effect from a segment past SND.WL1 (the handshake's ACK):
    // 5.10 ignores a smaller window on a segment at SND.WL1 itself.
    const size_t before = peer.received().size();
    peer.send_data(c.flow, "p");
    sockspec::PeerSegment closing = peer.segment(c.flow, sockspec::tcp_flag::kAck | sockspec::tcp_flag::kPsh, "o");
    closing.ack = current_ack ? c.flow.rcv_nxt : kernel_isn + 1 + 1000;
    closing.window = 0;
    peer.send(closing);
    c.flow.snd_nxt += 1;
    // The kernel's ACK of both bytes first: gVisor takes a tun write in later
    // than the barrier's, and its window would still be open afterwards.
    sockspec::acknowledged(peer, before, c.flow, c.flow.snd_nxt, 2s);
    peer.barrier();
    sockspec::TcpInfoFull info;
    p.observe("server_snd_wnd", sockspec::read_tcp_info_full(c.server.get(), &info)
                                    ? nlohmann::json(info.snd_wnd) : nlohmann::json{{"unobservable", "getsockopt(TCP_INFO) failed"}});
    p.server().send(c.server.get(), std::string(500, 'n')).must();
    p.observe("next_segment", sockspec::first_relative(sockspec::receive_data(peer, c.flow, 1, 1s), kernel_isn));
  });
}
