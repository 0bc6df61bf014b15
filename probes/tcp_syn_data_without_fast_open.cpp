// RFC 9293 §3.10.7.2: data in a SYN may be queued, but is delivered only once
// the connection is ESTABLISHED; Linux, without Fast Open, does not keep it.
#include <sys/socket.h>

#include "sockspec/peer.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_data_without_fast_open",
      "The scripted peer sends a listener on its link (no TCP_FASTOPEN) a SYN carrying\n"
      "5 bytes of data and reads the SYN+ACK: it observes how far that acknowledges.\n"
      "It completes the handshake with an ACK for the SYN+ACK, sent at the sequence\n"
      "number the SYN+ACK acknowledged, and a barrier; the server accept()s and reads\n"
      "without waiting (MSG_DONTWAIT). With --data-after-ack (the control) the SYN is\n"
      "bare and the same 5 bytes follow the ACK.");
  bool data_after_ack = false;
  probe.flag("--data-after-ack", data_after_ack, "the SYN is bare and the data follows the handshake's ACK");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    const std::string data = "early";
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 2);
    sockspec::PeerFlow flow = sockspec::flow_to(listener, 5555);
    const uint32_t iss = 1000000;
    const std::optional<sockspec::PeerSegment> synack = sockspec::send_syn(peer, flow, iss, 0, data_after_ack ? "" : data);
    if (!synack) throw sockspec::EnvironmentFailure("the kernel's SYN+ACK to the peer's SYN", ETIMEDOUT);
    p.observe("synack_acks_from_isn", synack->ack - iss);

    flow.snd_nxt = synack->ack;
    sockspec::Peer::track(flow, *synack);
    peer.send(peer.segment(flow, sockspec::tcp_flag::kAck));
    sockspec::observe_endpoints(p, peer.addr(flow.port), listener.addr);
    sockspec::UniqueFd server = p.server().accept(listener.fd.get()).fd();
    const size_t before = peer.received().size();
    if (data_after_ack) peer.send_data(flow, data);
    peer.barrier();
    if (data_after_ack) sockspec::acknowledged(peer, before, flow, flow.snd_nxt, 3s);
    std::string got;
    const sockspec::SysResult r = p.server().recv(server.get(), &got, 100, MSG_DONTWAIT);
    p.observe("server_read", r.ok() ? nlohmann::json(got) : nlohmann::json(sockspec::ret_or_errno(r)));
    p.server().close(listener.fd);
  });
}
