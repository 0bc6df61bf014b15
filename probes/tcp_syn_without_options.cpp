// RFC 9293 §3.7.1, RFC 7323 §1.3, §2.2: a SYN without options leaves the
// sender at the default MSS (536, IPv6 1220 by RFC 8200 §5's 1280 minimum
// MTU), unscaled windows and no timestamps.
#include <netinet/tcp.h>

#include <algorithm>

#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_without_options",
      "The scripted peer opens a connection to a listener on its link with a SYN that\n"
      "carries no options (or, with --all-options: MSS 1400, SACK permitted,\n"
      "timestamps and window scale 7). The server accept()s it and sends 3000 bytes.\n"
      "The peer reads the data. It observes the options of the kernel's SYN+ACK, each\n"
      "data segment's length and whether it carried timestamps, and the server's\n"
      "TCP_MAXSEG and window scales (TCP_INFO).");
  bool all_options = false;
  probe.flag("--all-options", all_options, "the SYN offers MSS 1400, SACK, timestamps and window scale 7");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::TcpOptions syn;
    if (all_options) {
      syn.mss = 1400;
      syn.sack_permitted = true;
      syn.timestamp = std::make_pair(1000u, 0u);
      syn.wscale = 7;
    }
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    const sockspec::PeerSegment& synack = *std::find_if(peer.received().begin(), peer.received().end(),
        [](const sockspec::PeerSegment& s) { return s.has(sockspec::tcp_flag::kSyn); });
    p.observe("synack_options", {{"mss", synack.options.mss.has_value()}, {"sack_permitted", synack.options.sack_permitted},
                                 {"timestamps", synack.options.timestamp.has_value()}, {"wscale", synack.options.wscale.has_value()}});

    p.server().send(c.server.get(), std::string(3000, 'o')).must();
    nlohmann::json lengths = nlohmann::json::array(), timestamps = nlohmann::json::array();
    size_t got = 0;
    while (got < 3000) {
      const std::vector<sockspec::PeerSegment> s = sockspec::receive_data(peer, c.flow, 1, 3s);
      if (s.empty()) break;
      got += s[0].payload.size();
      lengths.push_back(s[0].payload.size());
      timestamps.push_back(s[0].options.timestamp.has_value());
    }
    p.observe("data_lengths", lengths);
    p.observe("data_timestamps", timestamps);
    int maxseg = 0;
    p.observe("server_maxseg", p.server().getsockopt(c.server.get(), IPPROTO_TCP, TCP_MAXSEG, &maxseg).ok()
                                   ? nlohmann::json(maxseg) : nlohmann::json{{"unobservable", "getsockopt(TCP_MAXSEG) failed"}});
    const std::optional<tcp_info> info = sockspec::read_tcp_info(c.server.get());
    if (info) p.observe("server_wscale", {{"snd", info->tcpi_snd_wscale}, {"rcv", info->tcpi_rcv_wscale}});
    else p.observe("server_wscale", {{"unobservable", "getsockopt(TCP_INFO) failed"}});
  });
}
