// One side of a scenario ("server", "client") and the syscalls it makes.
//
// Every wrapper is named after the syscall it makes, records it in the event
// log (arguments, return value, errno, timestamps) with the call written out
// as text — "accept4(3, NULL, NULL, SOCK_NONBLOCK)" — and returns the outcome
// without judging it: a probe observes, the suites judge.
#pragma once

#include <poll.h>

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "sockspec/addr.h"
#include "sockspec/event_log.h"
#include "sockspec/fd.h"
#include "sockspec/sock_diag.h"
#include "sockspec/tcp_info.h"

namespace sockspec {

// A call the scenario cannot do without failed: the environment stopped the probe (exit 1).
class EnvironmentFailure : public std::runtime_error {
 public:
  EnvironmentFailure(const std::string& call, int err);
  const std::string& call() const { return call_; }
  int err() const { return err_; }

 private:
  std::string call_;
  int err_;
};

struct SysResult {
  long ret = -1;
  int err = 0;       // errno when ret < 0
  std::string text;  // the call as written in the log

  bool ok() const { return ret >= 0; }
  // The return value; throws EnvironmentFailure when the call failed.
  long must() const;
  // The return value as an owned descriptor; throws EnvironmentFailure when the call failed.
  UniqueFd fd() const { return UniqueFd(static_cast<int>(must())); }
};

// "ok", or the errno's name: whether a call succeeded, as an observation
// (descriptor numbers and the like are noise in a comparison).
std::string outcome(const SysResult& r);
// The return value in decimal, or the errno's name: when the value matters (bytes sent).
std::string ret_or_errno(const SysResult& r);

class Actor {
 public:
  Actor(EventLog& log, std::string side) : log_(log), side_(std::move(side)) {}
  const std::string& side() const { return side_; }

  // Records any call the wrappers below do not cover: fn() returns the syscall's
  // result and leaves errno as the syscall left it.
  template <class Fn>
  SysResult record(const std::string& call, nlohmann::json args, const std::string& text, Fn&& fn) {
    return record(call, std::move(args), text, std::forward<Fn>(fn), [](long) { return nlohmann::json(); });
  }

  // As above; result(ret) describes what a successful call gave back (an address,
  // the bytes read, an option's value) for the log.
  template <class Fn, class Result>
  SysResult record(const std::string& call, nlohmann::json args, const std::string& text, Fn&& fn,
                   Result&& result) {
    Event e;
    e.side = side_;
    e.call = call;
    e.args = std::move(args);
    e.text = text;
    e.start = Clock::now();
    errno = 0;
    const long ret = static_cast<long>(fn());
    const int err = ret < 0 ? errno : 0;
    e.end = Clock::now();
    e.ret = ret;
    e.err = err;
    if (ret >= 0) e.result = result(ret);
    log_.event(e);
    return SysResult{ret, err, text};
  }

  SysResult socket(int domain, int type, int protocol = 0);
  SysResult bind(int fd, const SockAddr& addr);
  SysResult listen(int fd, int backlog);
  SysResult accept(int fd, SockAddr* peer = nullptr);
  SysResult accept4(int fd, int flags, SockAddr* peer = nullptr);
  SysResult connect(int fd, const SockAddr& addr);
  SysResult send(int fd, const std::string& data, int flags = 0);
  // Appends what it read to *data.
  SysResult recv(int fd, std::string* data, size_t max, int flags = 0);
  SysResult sendto(int fd, const std::string& data, int flags, const SockAddr& to);
  SysResult recvfrom(int fd, std::string* data, size_t max, int flags, SockAddr* from);
  SysResult shutdown(int fd, int how);
  SysResult close(int fd);
  // Closes and releases an owned descriptor, recording the close().
  SysResult close(UniqueFd& fd);
  SysResult setsockopt(int fd, int level, int optname, int value);
  SysResult getsockopt(int fd, int level, int optname, int* value);
  SysResult getsockname(int fd, SockAddr* out);
  SysResult getpeername(int fd, SockAddr* out);
  SysResult poll(int fd, short events, int timeout_ms, short* revents);
  // fcntl(F_SETFL, O_NONBLOCK), keeping the other flags.
  SysResult set_nonblocking(int fd);
  // setsockopt(SO_LINGER, {l_onoff, l_linger}).
  SysResult set_linger(int fd, int onoff, int seconds);

  // Kernel state reads, recorded as events so they sit on the timeline.
  ListenerQueue listener_queue(int fd);
  std::vector<TcpSocketState> tcp_sockets(int family);

  void note(const std::string& text) { log_.note(side_, text); }

 private:
  void record_state(const std::string& text, nlohmann::json result);

  EventLog& log_;
  std::string side_;
};

}  // namespace sockspec
