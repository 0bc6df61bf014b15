#include "sockspec/readiness.h"

#include <utility>
#include <vector>

#include "sockspec/names.h"

namespace sockspec {

std::string epoll_events_name(uint32_t events) {
  static const std::vector<std::pair<uint32_t, const char*>> names = {
      {EPOLLIN, "EPOLLIN"},       {EPOLLPRI, "EPOLLPRI"},         {EPOLLOUT, "EPOLLOUT"},
      {EPOLLERR, "EPOLLERR"},     {EPOLLHUP, "EPOLLHUP"},         {EPOLLRDHUP, "EPOLLRDHUP"},
      {EPOLLET, "EPOLLET"},       {EPOLLONESHOT, "EPOLLONESHOT"}, {EPOLLEXCLUSIVE, "EPOLLEXCLUSIVE"}};
  std::string out;
  for (const auto& [bit, name] : names) {
    if (!(events & bit)) continue;
    if (!out.empty()) out += "|";
    out += name;
    events &= ~bit;
  }
  if (events) out += (out.empty() ? "" : "|") + std::to_string(events);
  return out.empty() ? "0" : out;
}

static const char* op_name(int op) {
  return op == EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : op == EPOLL_CTL_MOD ? "EPOLL_CTL_MOD" : "EPOLL_CTL_DEL";
}

SysResult epoll_create(Actor& a) {
  return a.record("epoll_create1", {{"flags", "EPOLL_CLOEXEC"}}, "epoll_create1(EPOLL_CLOEXEC)",
                  [] { return ::epoll_create1(EPOLL_CLOEXEC); });
}

SysResult epoll_ctl(Actor& a, int epfd, int op, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  return a.record("epoll_ctl", {{"epfd", epfd}, {"op", op_name(op)}, {"fd", fd}, {"events", epoll_events_name(events)}},
                  "epoll_ctl(" + std::to_string(epfd) + ", " + op_name(op) + ", " + std::to_string(fd) + ", {" +
                      epoll_events_name(events) + "})",
                  [&] { return ::epoll_ctl(epfd, op, fd, &ev); });
}

UniqueFd epoll_watching(Actor& a, int fd, uint32_t events) {
  UniqueFd ep = epoll_create(a).fd();
  epoll_ctl(a, ep.get(), EPOLL_CTL_ADD, fd, events).must();
  return ep;
}

SysResult epoll_wait(Actor& a, int epfd, int timeout_ms, uint32_t* events) {
  epoll_event ev{};
  SysResult r = a.record("epoll_wait", {{"epfd", epfd}, {"timeout_ms", timeout_ms}},
                         "epoll_wait(" + std::to_string(epfd) + ", &ev, 1, " + std::to_string(timeout_ms) + ")",
                         [&] { return ::epoll_wait(epfd, &ev, 1, timeout_ms); },
                         [&](long n) { return nlohmann::json{{"events", n > 0 ? epoll_events_name(ev.events) : "0"}}; });
  if (events) *events = r.ret > 0 ? ev.events : 0;
  return r;
}

std::string poll_now(Actor& a, int fd, short events) {
  short revents = 0;
  const SysResult r = a.poll(fd, events, 0, &revents);
  return r.ok() ? poll_events_name(revents) : errno_name(r.err);
}

std::string epoll_now(Actor& a, int epfd) {
  uint32_t events = 0;
  const SysResult r = epoll_wait(a, epfd, 0, &events);
  return r.ok() ? epoll_events_name(events) : errno_name(r.err);
}

WatchedConnection connected_and_watched(Probe& p) {
  WatchedConnection w{connected_pair(p), {}};
  w.ep = epoll_watching(p.server(), w.conn.server.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP);
  return w;
}

void observe_readiness_after(Probe& p, Actor& a, int fd, int epfd, const std::string& when) {
  short revents = 0;
  a.poll(fd, POLLIN, 5000, &revents);
  p.observe("poll_" + when, poll_now(a, fd, kAllPollEvents));
  p.observe("epoll_" + when, epoll_now(a, epfd));
}

}  // namespace sockspec
