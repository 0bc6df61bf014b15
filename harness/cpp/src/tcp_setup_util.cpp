#include "sockspec/tcp_setup_util.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>

#include "sockspec/names.h"
#include "sockspec/observed.h"
#include "sockspec/state.h"
#include "sockspec/wait.h"

namespace sockspec::tcp_setup {

long long tcpext(const std::string& name) { return read_net_counter("TcpExt", name).value_or(-1); }

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

std::string tcp_state_of(int fd) {
  auto info = read_tcp_info(fd);
  return info ? tcp_state_name(info->tcpi_state) : "?";
}

int count_in_state(int family, const std::string& state_name, uint16_t local_port) {
  int n = 0;
  for (const auto& s : list_tcp_sockets(family))
    if (s.state_name == state_name && s.local.port() == local_port) ++n;
  return n;
}

StartedConnect start_connect(Actor& a, const SockAddr& to, const SockAddr* local) {
  StartedConnect c;
  c.fd = a.socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK).fd();
  if (local) a.bind(c.fd.get(), *local).must();
  c.connect = a.connect(c.fd.get(), to);
  a.getsockname(c.fd.get(), &c.local).must();
  return c;
}

nlohmann::json first_signal(std::vector<Signal>& signals, std::chrono::milliseconds deadline) {
  nlohmann::json found = "undetermined";
  wait_until([&] {
    for (auto& s : signals) {
      if (s.read() > s.baseline) {
        ++s.baseline;
        found = s.name;
        return true;
      }
    }
    return false;
  }, deadline);
  if (found == "undetermined" && std::none_of(signals.begin(), signals.end(), [](Signal& s) { return s.read() >= 0; })) {
    std::string names;
    for (const auto& s : signals) names += (names.empty() ? "" : ", ") + s.name;
    return unobservable("this stack shows none of the signals (" + names + ")");
  }
  return found;
}

long long queued_or_unreadable(int listener) {
  const ListenerQueue q = read_listener_queue(listener);
  return q.valid ? static_cast<long long>(q.queued) : -1;
}

std::string outcome(const SysResult& r) { return r.ok() ? "0" : errno_name(r.err); }

}  // namespace sockspec::tcp_setup
