// poll() on a closed descriptor reports POLLNVAL; epoll_ctl() refuses it with EBADF.
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("poll_nval_closed_fd",
      "On a connected pair the client close()s its descriptor, then poll()s that\n"
      "descriptor number for POLLIN|POLLOUT, as an event loop does that forgot to\n"
      "drop it: poll() returns 1 with POLLNVAL, not an error. epoll_ctl(ADD) of the\n"
      "same number fails with EBADF. With --keep-open the client does not close:\n"
      "poll() reports the socket writable and epoll_ctl() succeeds.");
  bool keep_open = false;
  probe.flag("--keep-open", keep_open, "poll the descriptor while it is open (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    sockspec::UniqueFd ep = sockspec::epoll_create(client).fd();
    const int number = conn.client.get();
    if (!keep_open) client.close(conn.client);
    short revents = 0;
    p.observe("poll_return", sockspec::ret_or_errno(client.poll(number, POLLIN | POLLOUT, 0, &revents)));
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    p.observe("epoll_add", sockspec::outcome(sockspec::epoll_ctl(client, ep.get(), EPOLL_CTL_ADD, number, EPOLLIN)));
  });
}
