// An RST to a TIME-WAIT socket ends it (TIME-WAIT assassination), unless net.ipv4.tcp_rfc1337.
#include "sockspec/peer.h"
#include "sockspec/sock_diag.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_time_wait_rst",
      "The scripted peer opens a connection to a listener on the peer's link and the\n"
      "server accept()s it. The server close()s first; the peer acknowledges its FIN\n"
      "and sends its own, which the server acknowledges: the server's socket is in\n"
      "TIME-WAIT. The peer sends an RST at the server's RCV.NXT, then a barrier. It\n"
      "observes the server's socket (sock_diag) before and after the RST. The suite\n"
      "runs it with net.ipv4.tcp_rfc1337 0 and 1.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    const sockspec::SockAddr here = c.flow.kernel, there = peer.addr(c.flow.port);

    p.server().close(c.server);
    std::optional<sockspec::PeerSegment> fin = peer.receive(sockspec::on_flow(c.flow, sockspec::tcp_flag::kFin), 3s);
    if (!fin) throw sockspec::EnvironmentFailure("the server's FIN after close()", ETIMEDOUT);
    sockspec::Peer::track(c.flow, *fin);
    peer.send(peer.segment(c.flow, sockspec::tcp_flag::kFin | sockspec::tcp_flag::kAck));
    c.flow.snd_nxt += 1;
    peer.receive(sockspec::on_flow(c.flow, sockspec::tcp_flag::kAck), 3s);
    sockspec::wait_connection_state(p.af(), here, there, "TIME-WAIT", 3s);
    p.observe("before_rst", sockspec::connection_state(p.af(), here, there));

    peer.send(peer.segment(c.flow, sockspec::tcp_flag::kRst));
    peer.barrier();
    p.observe("after_rst", sockspec::connection_state(p.af(), here, there));
  });
}
