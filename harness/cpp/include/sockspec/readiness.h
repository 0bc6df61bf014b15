// Readiness as event loops see it: epoll(7) as recorded calls, and the events
// poll() or epoll_wait() report, as names (EPOLLIN|EPOLLRDHUP, POLLIN|POLLHUP).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <string>

#include "sockspec/actor.h"
#include "sockspec/probe.h"
#include "sockspec/scenario.h"

namespace sockspec {

// Every event poll() can be asked for on a stream socket (POLLERR, POLLHUP and POLLNVAL come unasked).
constexpr short kAllPollEvents = POLLIN | POLLOUT | POLLRDHUP | POLLPRI;

// EPOLLIN|EPOLLRDHUP, or "0"; the flags EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE too.
std::string epoll_events_name(uint32_t events);

// epoll_create1(EPOLL_CLOEXEC).
SysResult epoll_create(Actor& a);
// epoll_ctl(epfd, op, fd, {events}).
SysResult epoll_ctl(Actor& a, int epfd, int op, int fd, uint32_t events);
// epoll_create1() and epoll_ctl(EPOLL_CTL_ADD, fd, events): an instance watching fd.
UniqueFd epoll_watching(Actor& a, int fd, uint32_t events);
// epoll_wait(epfd, &ev, 1, timeout_ms); *events: the reported event's mask, 0 when none.
SysResult epoll_wait(Actor& a, int epfd, int timeout_ms, uint32_t* events);

// A connection on loopback (connected_pair()) whose server end an epoll
// instance watches for EPOLLIN, EPOLLOUT and EPOLLRDHUP.
struct WatchedConnection {
  Connection conn;
  UniqueFd ep;
};
WatchedConnection connected_and_watched(Probe& p);

// Waits up to 5 s for fd to turn readable (poll POLLIN), then observes what
// poll ("poll_<when>", every event) and the epoll instance epfd ("epoll_<when>")
// report: the readiness an event loop sees after the peer's last act.
void observe_readiness_after(Probe& p, Actor& a, int fd, int epfd, const std::string& when);

// What poll(fd, events, 0) reports now, as names: "0" when nothing, the errno's name when poll() fails.
std::string poll_now(Actor& a, int fd, short events);
// What epoll_wait(epfd, timeout 0) reports now, as names.
std::string epoll_now(Actor& a, int epfd);

}  // namespace sockspec
