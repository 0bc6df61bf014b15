// RFC 6298 §5.5: each retransmission timeout doubles the next; tcp(7)
// tcp_retries2: after that many retransmissions the connection is given up,
// and the application sees ETIMEDOUT.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_rto_backoff_retries2",
      "The route to the scripted peer has rto_min 300 ms: the first timeout is 300 ms\n"
      "plus the round trip, clear of the 200 ms from which the kernel reckons when\n"
      "tcp_retries2 timeouts are over. The scripted peer opens a connection to a listener on its link and the server\n"
      "accept()s it and sends 100 bytes. The peer reads the segment and its\n"
      "retransmissions but never acknowledges them, until the server's socket is\n"
      "closed by the kernel (at most 30 s). It observes how many times the data was\n"
      "sent, the server's TCP state and what a non-blocking recv() then returns\n"
      "(net.ipv4.tcp_retries2 is the test's sysctl).");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    peer.set_route({.rto_min_ms = 300});
    sockspec::PeerConnection c = sockspec::connect_peer(p, peer);
    const int fd = c.server.get();
    p.server().send(fd, std::string(100, 'r')).must();

    size_t transmissions = 0;
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (sockspec::tcp_state(fd) != "CLOSE" && std::chrono::steady_clock::now() < until)
      transmissions += sockspec::receive_data(peer, c.flow, 1, 100ms).size();
    p.observe("transmissions", transmissions);
    p.observe("server_state", sockspec::tcp_state(fd));
    std::string data;
    p.observe("server_recv", sockspec::ret_or_errno(p.server().recv(fd, &data, 100, MSG_DONTWAIT)));
  });
}
