// RFC 6928 §2: a sender's initial window is ten segments: before the first
// ACK of data, it sends at most ten MSS-sized segments.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_initial_window",
      "With --initcwnd, the route to the scripted peer carries that initial congestion\n"
      "window (0: the kernel's default). The peer opens a connection to a listener on\n"
      "its link (MSS 1000, window 65535) and the server accept()s it and sends 30000\n"
      "bytes without blocking. The peer acknowledges nothing; after a barrier (every\n"
      "segment the send() made has been read) it observes how many data segments came\n"
      "and their lengths, and the server's TCP_INFO snd_cwnd.");
  int initcwnd = 0;
  probe.option("--initcwnd", initcwnd, "the route's initcwnd (0: none)").range(0, 100);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    if (initcwnd) peer.set_route({.initcwnd = static_cast<uint32_t>(initcwnd)});
    sockspec::TcpOptions syn;
    syn.mss = 1000;
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer, syn);
    p.server().set_nonblocking(c.server.get()).must();
    p.server().send(c.server.get(), std::string(30000, 'i')).must();

    const size_t before = peer.received().size();
    peer.barrier();
    nlohmann::json lengths = nlohmann::json::array();
    for (size_t i = before; i < peer.received().size(); ++i) {
      const sockspec::PeerSegment& s = peer.received()[i];
      if (s.dport == c.flow.port && !s.payload.empty()) lengths.push_back(s.payload.size());
    }
    p.observe("first_flight_lengths", lengths);
    const std::optional<tcp_info> info = sockspec::read_tcp_info(c.server.get());
    if (info) p.observe("server_snd_cwnd", info->tcpi_snd_cwnd);
    else p.observe("server_snd_cwnd", {{"unobservable", "getsockopt(TCP_INFO) failed"}});
  });
}
