// After an RST a socket polls POLLERR|POLLHUP; reading SO_ERROR clears POLLERR, POLLHUP stays.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("poll_hup_err_after_rst",
      "On a connected pair the server registers its socket with epoll for\n"
      "EPOLLIN|EPOLLOUT|EPOLLRDHUP. The client aborts (SO_LINGER {1, 0}, then\n"
      "close(): an RST). The server poll()s until readable and reads its readiness\n"
      "with poll() and epoll_wait(): the reset sets the pending error (POLLERR) and\n"
      "shuts both directions (POLLHUP). It reads SO_ERROR (ECONNRESET), which\n"
      "clears the error, and polls again. With --fin the client close()s normally\n"
      "instead: a FIN, no error, no hang-up.");
  bool fin = false;
  probe.flag("--fin", fin, "the client closes with a FIN instead of an RST (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [conn, ep] = sockspec::connected_and_watched(p);
    const int sfd = conn.server.get();

    if (!fin) client.set_linger(conn.client.get(), 1, 0).must();
    client.close(conn.client);
    sockspec::observe_readiness_after(p, server, sfd, ep.get(), "after_close");
    p.observe("so_error", sockspec::pending_error(server, sfd));
    p.observe("poll_after_so_error", sockspec::poll_now(server, sfd, sockspec::kAllPollEvents));
  });
}
