#include "sockspec/tcp_close_util.h"

#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

#include "sockspec/wait.h"

#ifndef TCP_RTO_MIN_US
#define TCP_RTO_MIN_US 45  // include/uapi/linux/tcp.h since Linux 6.15
#endif

namespace sockspec::tcp_close {

SysResult set_rto_min_us(Actor& a, int fd, int us) {
  return a.record("setsockopt", {{"fd", fd}, {"level", "IPPROTO_TCP"}, {"optname", "TCP_RTO_MIN_US"}, {"value", us}},
                  "setsockopt(" + std::to_string(fd) + ", IPPROTO_TCP, TCP_RTO_MIN_US, " + std::to_string(us) + ")",
                  [&] { return ::setsockopt(fd, IPPROTO_TCP, TCP_RTO_MIN_US, &us, sizeof us); });
}

namespace {
std::optional<TcpSocketState> find_in(const std::vector<TcpSocketState>& all, const SockAddr& local,
                                      const SockAddr& remote) {
  for (const auto& s : all)
    if (s.state_name != "LISTEN" && s.local.to_string() == local.to_string() &&
        s.remote.to_string() == remote.to_string())
      return s;
  return std::nullopt;
}
}  // namespace

std::optional<TcpSocketState> find(int af, const SockAddr& local, const SockAddr& remote) {
  return find_in(list_tcp_sockets(af), local, remote);
}

std::string state_of(int af, const SockAddr& local, const SockAddr& remote) {
  auto s = find(af, local, remote);
  return s ? s->state_name : "none";
}

bool wait_state(int af, const SockAddr& local, const SockAddr& remote, const std::string& state,
                std::chrono::milliseconds deadline) {
  return wait_until([&] { return state_of(af, local, remote) == state; }, deadline);
}

std::string fd_state(int fd) {
  auto info = read_tcp_info(fd);
  return info ? tcp_state_name(info->tcpi_state) : "unknown";
}

bool wait_fd_state(int fd, const std::string& state, std::chrono::milliseconds deadline) {
  return wait_until([&] { return fd_state(fd) == state; }, deadline);
}

long unread_bytes(int fd) {
  int n = -1;
  return ::ioctl(fd, SIOCINQ, &n) == 0 ? n : -1;
}

long long tcp_mib(const std::string& name) { return read_net_counter("Tcp", name).value_or(0); }

StateTrace::StateTrace(int af, SockAddr a, SockAddr b) : af_(af), a_(a), b_(b) {
  poll_once();
  thread_ = std::thread([this] {
    while (!stop_) {
      poll_once();
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
}

void StateTrace::stop() {
  if (thread_.joinable()) {
    stop_ = true;
    thread_.join();
    poll_once();
  }
}

void StateTrace::poll_once() {
  const auto all = list_tcp_sockets(af_);
  auto a = find_in(all, a_, b_);
  auto b = find_in(all, b_, a_);
  const std::string na = a ? a->state_name : "none", nb = b ? b->state_name : "none";
  std::lock_guard lock(mu_);
  if (sa_.empty() || sa_.back() != na) sa_.push_back(na);
  if (sb_.empty() || sb_.back() != nb) sb_.push_back(nb);
  if (a && b && a->state == b->state && a->state < 16) both_[a->state] = true;
}

std::vector<std::string> StateTrace::states_a() {
  std::lock_guard lock(mu_);
  return sa_;
}

std::vector<std::string> StateTrace::states_b() {
  std::lock_guard lock(mu_);
  return sb_;
}

bool StateTrace::both_seen_in(const std::string& state) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < 16; ++i)
    if (both_[i] && tcp_state_name(i) == state) return true;
  return false;
}

}  // namespace sockspec::tcp_close
