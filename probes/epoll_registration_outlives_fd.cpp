// epoll registers the open file, not the descriptor: a dup() keeps a closed descriptor's events coming.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("epoll_registration_outlives_fd",
      "The server registers its socket with epoll for EPOLLIN, dup()s the\n"
      "descriptor and close()s the registered one. The client sends a byte; the\n"
      "server waits up to 500 ms in epoll_wait(): the registration belongs to the\n"
      "open file, which the duplicate keeps alive (epoll(7) Q6), so the event is\n"
      "reported, for a descriptor number that is closed. EPOLL_CTL_DEL with that\n"
      "number fails with EBADF: the registration can no longer be removed by it.\n"
      "With --no-dup the last descriptor is closed, which removes the registration.");
  bool no_dup = false;
  probe.flag("--no-dup", no_dup, "close without a duplicate (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int registered = conn.server.get();
    sockspec::UniqueFd ep = sockspec::epoll_watching(server, registered, EPOLLIN);
    sockspec::UniqueFd duplicate;
    if (!no_dup) duplicate = sockspec::dup_fd(server, registered).fd();
    server.close(conn.server);

    p.client().send(conn.client.get(), "x").must();
    uint32_t events = 0;
    sockspec::epoll_wait(server, ep.get(), 500, &events);
    p.observe("event_after_close", sockspec::epoll_events_name(events));
    p.observe("del_closed_number",
              sockspec::outcome(sockspec::epoll_ctl(server, ep.get(), EPOLL_CTL_DEL, registered, 0)));
  });
}
