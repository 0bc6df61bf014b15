// A listener's answer to a segment that is not a SYN, from the scripted peer.
#include "sockspec/peer.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_listener_stray_segments",
      "A server listens on the peer's link (192.0.2.1 or 2001:db8::1). The scripted\n"
      "peer sends it one segment with the flags of --flags (seq 1000000, ack 424242,\n"
      "no connection behind it), then a barrier (a bare ACK to a closed port, whose\n"
      "RST the kernel sends after any answer to the first). It observes what the\n"
      "kernel answered on the peer's port, and whether accept() finds a connection.\n"
      "--flags SYN is the control: a SYN is the one segment a listener answers with\n"
      "SYN+ACK.");
  std::string flags = "ACK";
  probe.option("--flags", flags, "the stray segment's flags")
      .one_of({"ACK", "RST", "SYN+RST", "none", "SYN+FIN", "SYN"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::Listener listener = sockspec::listen_for_peer(p, peer, 1);
    const uint16_t port = 5555;
    sockspec::observe_endpoints(p, peer.addr(port), listener.addr);

    sockspec::PeerSegment stray;
    stray.sport = port;
    stray.dport = listener.addr.port();
    stray.flags = sockspec::tcp_flags_named(flags);
    stray.seq = 1000000;
    stray.ack = 424242;
    peer.send(stray);
    peer.barrier();
    p.observe("answers", sockspec::answers_since(peer, 0, port));

    p.server().set_nonblocking(listener.fd.get()).must();
    p.observe("accept", sockspec::outcome(p.server().accept(listener.fd.get())));
    p.server().close(listener.fd);
  });
}
