#include "sockspec/calls.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "sockspec/names.h"
#include "sockspec/observed.h"
#include "sockspec/wait.h"

#ifndef TCP_RTO_MIN_US
#define TCP_RTO_MIN_US 45  // include/uapi/linux/tcp.h since Linux 6.15
#endif

namespace sockspec {

SysResult get_fl(Actor& a, int fd) {
  return a.record("fcntl", {{"fd", fd}, {"cmd", "F_GETFL"}}, "fcntl(" + std::to_string(fd) + ", F_GETFL)",
                  [&] { return ::fcntl(fd, F_GETFL); },
                  [](long ret) { return nlohmann::json{{"O_NONBLOCK", (ret & O_NONBLOCK) != 0}}; });
}

SysResult get_fd_flags(Actor& a, int fd) {
  return a.record("fcntl", {{"fd", fd}, {"cmd", "F_GETFD"}}, "fcntl(" + std::to_string(fd) + ", F_GETFD)",
                  [&] { return ::fcntl(fd, F_GETFD); },
                  [](long ret) { return nlohmann::json{{"FD_CLOEXEC", (ret & FD_CLOEXEC) != 0}}; });
}

SysResult dup_fd(Actor& a, int fd) {
  return a.record("dup", {{"fd", fd}}, "dup(" + std::to_string(fd) + ")", [&] { return ::dup(fd); });
}

std::string pending_error(Actor& a, int fd) {
  int err = 0;
  const SysResult r = a.getsockopt(fd, SOL_SOCKET, SO_ERROR, &err);
  return r.ok() ? pending_error_name(err) : errno_name(r.err);
}

SysResult set_rto_min_us(Actor& a, int fd, int us) {
  return a.record("setsockopt", {{"fd", fd}, {"level", "IPPROTO_TCP"}, {"optname", "TCP_RTO_MIN_US"}, {"value", us}},
                  "setsockopt(" + std::to_string(fd) + ", IPPROTO_TCP, TCP_RTO_MIN_US, " + std::to_string(us) + ")",
                  [&] { return ::setsockopt(fd, IPPROTO_TCP, TCP_RTO_MIN_US, &us, sizeof us); });
}

namespace {
SysResult set_timeout_ms(Actor& a, int fd, int optname, const char* name, int ms) {
  const timeval tv{ms / 1000, (ms % 1000) * 1000};
  return a.record("setsockopt", {{"fd", fd}, {"optname", name}, {"ms", ms}},
                  "setsockopt(" + std::to_string(fd) + ", SOL_SOCKET, " + name + ", " + std::to_string(ms) + " ms)",
                  [&] { return ::setsockopt(fd, SOL_SOCKET, optname, &tv, sizeof tv); });
}
}  // namespace

SysResult set_sndtimeo_ms(Actor& a, int fd, int ms) { return set_timeout_ms(a, fd, SO_SNDTIMEO, "SO_SNDTIMEO", ms); }
SysResult set_rcvtimeo_ms(Actor& a, int fd, int ms) { return set_timeout_ms(a, fd, SO_RCVTIMEO, "SO_RCVTIMEO", ms); }

namespace {
nlohmann::json queue_ioctl(Actor& a, int fd, unsigned long req, const char* name) {
  int value = -1;
  SysResult r = a.record("ioctl", {{"fd", fd}, {"request", name}},
                         "ioctl(" + std::to_string(fd) + ", " + name + ")",
                         [&] { return ::ioctl(fd, req, &value); },
                         [&](long) { return nlohmann::json(value); });
  if (!r.ok()) return unobservable(std::string("ioctl(") + name + ") failed with " + errno_name(r.err));
  return value;
}

std::optional<long> queue_length(int fd, unsigned long req) {
  int n = -1;
  if (::ioctl(fd, req, &n) != 0) return std::nullopt;
  return n;
}
}  // namespace

nlohmann::json inq(Actor& a, int fd) { return queue_ioctl(a, fd, SIOCINQ, "SIOCINQ"); }
nlohmann::json outq(Actor& a, int fd) { return queue_ioctl(a, fd, SIOCOUTQ, "SIOCOUTQ"); }
nlohmann::json outq_not_sent(Actor& a, int fd) { return queue_ioctl(a, fd, SIOCOUTQNSD, "SIOCOUTQNSD"); }

std::optional<long> unread_bytes(int fd) { return queue_length(fd, SIOCINQ); }
std::optional<long> unacked_bytes(int fd) { return queue_length(fd, SIOCOUTQ); }
std::optional<long> unsent_bytes(int fd) { return queue_length(fd, SIOCOUTQNSD); }

nlohmann::json wait_all_acked(int fd, std::chrono::milliseconds deadline) {
  return wait_observed([&]() -> nlohmann::json {
    int n = -1;
    if (::ioctl(fd, SIOCOUTQ, &n) != 0) return unobservable(std::string("ioctl(SIOCOUTQ) failed with ") + errno_name(errno));
    return n == 0;
  }, deadline);
}

nlohmann::json sockopt_int(Actor& a, int fd, int level, int optname) {
  int value = 0;
  SysResult r = a.getsockopt(fd, level, optname, &value);
  if (!r.ok()) return unobservable("getsockopt(" + sockopt_name(level, optname) + ") failed with " + errno_name(r.err));
  return value;
}

}  // namespace sockspec
