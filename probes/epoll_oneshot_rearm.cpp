// EPOLLONESHOT: after one event the registration is disabled until EPOLL_CTL_MOD re-arms it.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("epoll_oneshot_rearm",
      "The server registers its socket with epoll for EPOLLIN|EPOLLONESHOT. The\n"
      "client sends a byte; epoll_wait() reports EPOLLIN and the server reads it.\n"
      "The client sends a second byte; once it is queued (SIOCINQ) the server asks\n"
      "epoll again: the registration fired once and is disabled, so no event,\n"
      "though data waits. EPOLL_CTL_ADD of the same socket fails (it is still\n"
      "registered); EPOLL_CTL_MOD re-arms it and the waiting byte is reported.\n"
      "With --no-oneshot the registration has no EPOLLONESHOT.");
  bool no_oneshot = false;
  probe.flag("--no-oneshot", no_oneshot, "register without EPOLLONESHOT (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();
    const uint32_t interest = EPOLLIN | (no_oneshot ? 0u : EPOLLONESHOT);
    sockspec::UniqueFd ep = sockspec::epoll_watching(server, sfd, interest);

    client.send(conn.client.get(), "a").must();
    uint32_t events = 0;
    sockspec::epoll_wait(server, ep.get(), 5000, &events);
    p.observe("first_event", sockspec::epoll_events_name(events));
    std::string got;
    server.recv(sfd, &got, 16).must();

    client.send(conn.client.get(), "b").must();
    sockspec::wait_until([&] { return sockspec::unread_bytes(sfd).value_or(0) > 0; }, 5s);
    p.observe("unread_before_rearm", sockspec::inq(server, sfd));
    p.observe("event_before_rearm", sockspec::epoll_now(server, ep.get()));
    p.observe("add_again", sockspec::outcome(sockspec::epoll_ctl(server, ep.get(), EPOLL_CTL_ADD, sfd, interest)));
    sockspec::epoll_ctl(server, ep.get(), EPOLL_CTL_MOD, sfd, interest).must();
    p.observe("event_after_rearm", sockspec::epoll_now(server, ep.get()));
  });
}
