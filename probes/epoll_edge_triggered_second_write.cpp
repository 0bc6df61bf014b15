// EPOLLET: every arrival of data wakes the waiter again, even when the earlier data was not read.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("epoll_edge_triggered_second_write",
      "The server registers its socket with epoll for EPOLLIN|EPOLLET. The client\n"
      "sends one byte; the server's epoll_wait() reports EPOLLIN. The server reads\n"
      "nothing and asks again (timeout 0): edge-triggered, nothing new, no event.\n"
      "The client sends a second byte: epoll_wait() reports EPOLLIN again although\n"
      "the first byte is still unread (each arrival calls sk_data_ready(), which\n"
      "queues the item again). With --level the registration has no EPOLLET and\n"
      "the second ask reports EPOLLIN with nothing new.");
  bool level = false;
  probe.flag("--level", level, "level-triggered registration, no EPOLLET (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();
    sockspec::UniqueFd ep = sockspec::epoll_watching(server, sfd, EPOLLIN | (level ? 0u : EPOLLET));

    client.send(conn.client.get(), "a").must();
    uint32_t events = 0;
    sockspec::epoll_wait(server, ep.get(), 5000, &events);
    p.observe("first_write_wakes", sockspec::epoll_events_name(events));
    p.observe("again_nothing_new", sockspec::epoll_now(server, ep.get()));

    client.send(conn.client.get(), "b").must();
    sockspec::epoll_wait(server, ep.get(), 5000, &events);
    p.observe("second_write_wakes", sockspec::epoll_events_name(events));
    p.observe("unread_at_second_wake", sockspec::inq(server, sfd));
  });
}
