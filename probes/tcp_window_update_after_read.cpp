// RFC 9293 §3.8.6.2.2: a receiver whose buffer the application drains
// announces the reopened window in an ACK of its own (a window update), so
// that the sender need not wait for its zero-window probe.
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_window_update_after_read",
      "A listener on the peer's link has SO_RCVBUF 4096, which its accepted socket\n"
      "inherits. The scripted peer opens a connection (MSS 500) and sends data, at most\n"
      "500 bytes and at most the advertised window at a time, each after the kernel's\n"
      "ACK of the one before, until an ACK advertises window 0. The server then reads\n"
      "everything (with --no-read: nothing). The peer observes the window of the\n"
      "kernel's next segment within 1 s, or none.");
  bool no_read = false;
  probe.flag("--no-read", no_read, "the server does not read");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 1);
    p.server().setsockopt(listener.fd.get(), SOL_SOCKET, SO_RCVBUF, 4096).must();
    sockspec::TcpOptions syn;
    syn.mss = 500;
    sockspec::PeerFlow flow = peer.connect(5555, listener.addr, syn);
    sockspec::UniqueFd server = p.server().accept(listener.fd.get()).fd();

    size_t sent = 0;
    for (int i = 0; i < 200 && flow.kernel_window > 0; ++i) {
      const size_t n = std::min<size_t>(500, flow.kernel_window);
      peer.send_data(flow, std::string(n, 'u'));
      sent += n;
      const uint32_t end = flow.snd_nxt;
      const std::function<bool(const sockspec::PeerSegment&)> on = sockspec::on_flow(flow, sockspec::tcp_flag::kAck);
      const std::optional<sockspec::PeerSegment> ack = peer.receive([&](const sockspec::PeerSegment& s) { return on(s) && s.ack == end; }, 2s);
      if (!ack) break;
      sockspec::Peer::track(flow, *ack);
    }
    p.observe("bytes_until_zero_window", sent);
    p.observe("window_closed", flow.kernel_window == 0);

    if (!no_read) {
      std::string data;
      p.observe("server_read", sockspec::ret_or_errno(p.server().recv(server.get(), &data, 1 << 20)));
    }
    const std::optional<sockspec::PeerSegment> update = peer.receive(sockspec::on_flow(flow, sockspec::tcp_flag::kAck), 1s);
    p.observe("next_window", update ? nlohmann::json(update->window) : nlohmann::json("none"));
  });
}
