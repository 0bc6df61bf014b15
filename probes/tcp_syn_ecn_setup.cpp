// RFC 3168 §6.1.1: a SYN with ECE and CWR asks for ECN; a SYN+ACK with ECE
// (and not CWR) agrees to it.
#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_ecn_setup",
      "The scripted peer sends a listener on its link a SYN with ECE and CWR set (an\n"
      "ECN-setup SYN; with --plain-syn, neither) and reads the kernel's SYN+ACK. It\n"
      "observes the SYN+ACK's flags. The test sets net.ipv4.tcp_ecn, which IPv6 obeys\n"
      "too.");
  bool plain_syn = false;
  probe.flag("--plain-syn", plain_syn, "the SYN sets neither ECE nor CWR");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 2);
    const sockspec::PeerFlow flow = sockspec::flow_to(listener, 5555);
    const uint8_t ecn_setup = sockspec::tcp_flag::kEce | sockspec::tcp_flag::kCwr;
    const std::optional<sockspec::PeerSegment> synack = sockspec::send_syn(peer, flow, 1000000, plain_syn ? 0 : ecn_setup);
    p.observe("synack_flags", synack ? nlohmann::json(synack->flag_names()) : nlohmann::json("none"));
    sockspec::observe_endpoints(p, peer.addr(flow.port), listener.addr);
    p.server().close(listener.fd);
  });
}
