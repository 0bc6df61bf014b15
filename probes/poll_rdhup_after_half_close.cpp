// After the peer's FIN a socket polls readable with POLLRDHUP; POLLHUP only once both directions are shut.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("poll_rdhup_after_half_close",
      "On a connected pair the server registers its socket with epoll for\n"
      "EPOLLIN|EPOLLOUT|EPOLLRDHUP. The client shutdown(SHUT_WR)s (its FIN); the\n"
      "server poll()s until readable and reads its readiness with poll() and with\n"
      "epoll_wait(): readable with POLLRDHUP, still writable, no POLLHUP. It reads\n"
      "end of file (still POLLRDHUP) and shutdown(SHUT_WR)s itself: with both\n"
      "directions shut, POLLHUP too (tcp_poll()). With --send-instead the client\n"
      "sends a byte instead of shutting down: readable, without POLLRDHUP.");
  bool send_instead = false;
  probe.flag("--send-instead", send_instead, "the client sends data instead of a FIN (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [conn, ep] = sockspec::connected_and_watched(p);
    const int sfd = conn.server.get();
    p.observe("poll_before", sockspec::poll_now(server, sfd, sockspec::kAllPollEvents));

    if (send_instead) client.send(conn.client.get(), "x").must();
    else client.shutdown(conn.client.get(), SHUT_WR).must();
    sockspec::observe_readiness_after(p, server, sfd, ep.get(), "after_fin");
    if (send_instead) return;

    std::string eof;
    p.observe("server_read", sockspec::ret_or_errno(server.recv(sfd, &eof, 16)));
    p.observe("poll_after_eof_read", sockspec::poll_now(server, sfd, sockspec::kAllPollEvents));
    server.shutdown(sfd, SHUT_WR).must();
    p.observe("poll_both_shut", sockspec::poll_now(server, sfd, sockspec::kAllPollEvents));
    p.observe("epoll_both_shut", sockspec::epoll_now(server, ep.get()));
  });
}
