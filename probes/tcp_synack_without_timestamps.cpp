// RFC 7323 §3.2: timestamps are used only when both SYNs carry the option.
#include "sockspec/peer.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_without_timestamps",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which reads the kernel's SYN (observing whether it offers timestamps) and\n"
      "answers with a SYN+ACK carrying MSS 1000 and no timestamp option, then reads\n"
      "the kernel's ACK. The client send()s 100 bytes and the peer reads the data\n"
      "segment: the probe observes whether the ACK and the data carry a timestamp.\n"
      "With --timestamps (the control) the SYN+ACK echoes the SYN's TSval.");
  bool timestamps = false;
  probe.flag("--timestamps", timestamps, "the SYN+ACK carries a timestamp option (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    p.observe("syn_offers_timestamps", open.syn.options.timestamp.has_value());
    sockspec::TcpOptions synack_options;
    synack_options.mss = 1000;
    if (timestamps && open.syn.options.timestamp)
      synack_options.timestamp = std::make_pair(5000u, open.syn.options.timestamp->first);
    sockspec::accept_from_kernel(peer, open, synack_options);
    p.observe("ack_timestamped", peer.received().back().options.timestamp.has_value());

    p.client().send(open.client.fd.get(), std::string(100, 't')).must();
    const std::vector<sockspec::PeerSegment> data =
        sockspec::receive_data(peer, open.flow, 1, std::chrono::seconds(3));
    p.observe("data_timestamped", data.empty() ? nlohmann::json("none")
                                               : nlohmann::json(data[0].options.timestamp.has_value()));
  });
}
