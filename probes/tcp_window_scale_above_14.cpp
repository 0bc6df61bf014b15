// RFC 7323 §2.3: a window scale above 14 is used as 14.
#include <algorithm>

#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_window_scale_above_14",
      "The scripted peer opens a connection to a listener on its link with a SYN whose\n"
      "window scale option is 15 (--wscale sets it) and the server accept()s it. It\n"
      "observes whether the kernel's SYN+ACK carried a window scale and the server's\n"
      "send window scale (TCP_INFO tcpi_snd_wscale): the shift the kernel applies to\n"
      "the peer's advertised windows.");
  int wscale = 15;
  probe.option("--wscale", wscale, "the window scale the peer's SYN offers").range(0, 255);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::TcpOptions syn;
    syn.wscale = static_cast<uint8_t>(wscale);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    const auto synack = std::find_if(peer.received().begin(), peer.received().end(),
        [](const sockspec::PeerSegment& s) { return s.has(sockspec::tcp_flag::kSyn); });
    p.observe("synack_has_wscale", synack->options.wscale.has_value());
    const std::optional<tcp_info> info = sockspec::read_tcp_info(c.server.get());
    if (info) p.observe("server_snd_wscale", info->tcpi_snd_wscale);
    else p.observe("server_snd_wscale", {{"unobservable", "getsockopt(TCP_INFO) failed"}});
  });
}
