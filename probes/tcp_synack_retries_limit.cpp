// tcp(7) tcp_synack_retries: a listener retransmits an unanswered SYN+ACK
// that many times, then drops the request; an ACK that comes later finds no
// connection and is answered by an RST (RFC 9293 §3.10.7.2).
#include "sockspec/peer.h"
#include "sockspec/sock_diag.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_retries_limit",
      "A server listens on the peer's link. The scripted peer sends a SYN and does\n"
      "not answer the SYN+ACK: it reads the kernel's SYN+ACKs until the request\n"
      "socket is gone (sock_diag: no SYN-RECV on the listener's port) or 5 s passed.\n"
      "Then it sends the ACK of the first SYN+ACK, and a barrier. It observes how\n"
      "many SYN+ACKs came, whether the request was dropped, what the kernel answered\n"
      "to the ACK and what a non-blocking accept() returns\n"
      "(net.ipv4.tcp_synack_retries is the test's sysctl).");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 1);
    const uint16_t port = 5555;
    sockspec::observe_endpoints(p, peer.addr(port), listener.addr);
    sockspec::PeerSegment syn;
    syn.sport = port;
    syn.dport = listener.addr.port();
    syn.flags = sockspec::tcp_flag::kSyn;
    syn.seq = 1000000;
    peer.send(syn);

    std::vector<sockspec::PeerSegment> synacks;
    auto is_synack = [&](const sockspec::PeerSegment& s) { return s.dport == port && s.has(sockspec::tcp_flag::kSyn | sockspec::tcp_flag::kAck); };
    const auto until = std::chrono::steady_clock::now() + 5s;
    bool dropped = false;
    while (std::chrono::steady_clock::now() < until) {
      if (std::optional<sockspec::PeerSegment> s = peer.receive(is_synack, 100ms)) synacks.push_back(*s);
      dropped = !synacks.empty() && sockspec::count_in_state(p.af(), "SYN-RECV", listener.addr.port()) == 0;
      if (dropped) break;
    }
    p.observe("synacks", synacks.size());
    p.observe("request_dropped", dropped);
    if (synacks.empty()) throw sockspec::EnvironmentFailure("the kernel's SYN+ACK to the peer's SYN", ETIMEDOUT);

    sockspec::PeerSegment ack = syn;
    ack.flags = sockspec::tcp_flag::kAck;
    ack.seq = syn.seq + 1;
    ack.ack = synacks.front().seq + 1;
    const size_t before = peer.received().size();
    peer.send(ack);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, before, port));
    p.server().set_nonblocking(listener.fd.get()).must();
    p.observe("accept", sockspec::outcome(p.server().accept(listener.fd.get())));
  });
}
