#include "sockspec/unix_socket.h"

#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sockspec/names.h"

namespace sockspec {

UnixAddr UnixAddr::path(const std::string& p) {
  UnixAddr a;
  a.sun_.sun_family = AF_UNIX;
  const size_t n = std::min(p.size(), sizeof(a.sun_.sun_path) - 1);
  memcpy(a.sun_.sun_path, p.data(), n);
  a.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + 1);
  return a;
}

UnixAddr UnixAddr::abstract(const std::string& name) {
  UnixAddr a;
  a.sun_.sun_family = AF_UNIX;
  const size_t n = std::min(name.size(), sizeof(a.sun_.sun_path) - 1);
  memcpy(a.sun_.sun_path + 1, name.data(), n);
  a.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  return a;
}

std::string UnixAddr::to_string() const {
  const size_t n = len_ - offsetof(sockaddr_un, sun_path);
  if (n > 0 && sun_.sun_path[0] == '\0') return "@" + std::string(sun_.sun_path + 1, n - 1);
  return std::string(sun_.sun_path);
}

std::string unix_unique_name(const std::string& what) {
  return "sockspec-" + what + "-" + std::to_string(getpid());
}

SysResult unix_bind(Actor& a, int fd, const UnixAddr& addr) {
  return a.record("bind", {{"fd", fd}, {"addr", addr.to_string()}},
                  "bind(" + std::to_string(fd) + ", {AF_UNIX, \"" + addr.to_string() + "\"})",
                  [&] { return ::bind(fd, addr.raw(), addr.len()); });
}

SysResult unix_connect(Actor& a, int fd, const UnixAddr& addr) {
  return a.record("connect", {{"fd", fd}, {"addr", addr.to_string()}},
                  "connect(" + std::to_string(fd) + ", {AF_UNIX, \"" + addr.to_string() + "\"})",
                  [&] { return ::connect(fd, addr.raw(), addr.len()); });
}

SysResult unix_socketpair(Actor& a, int type, UniqueFd* first, UniqueFd* second) {
  int sv[2] = {-1, -1};
  SysResult r = a.record("socketpair", {{"domain", "AF_UNIX"}, {"type", socktype_name(type)}},
                         "socketpair(AF_UNIX, " + socktype_name(type) + ", 0, fds)",
                         [&] { return ::socketpair(AF_UNIX, type, 0, sv); },
                         [&](long) { return nlohmann::json{{"fds", {sv[0], sv[1]}}}; });
  if (r.ok()) {
    first->reset(sv[0]);
    second->reset(sv[1]);
  }
  return r;
}

UniqueFd unix_listener(Actor& a, int type, const UnixAddr& addr, int backlog) {
  UniqueFd fd = a.socket(AF_UNIX, type).fd();
  unix_bind(a, fd.get(), addr).must();
  a.listen(fd.get(), backlog).must();
  return fd;
}

SysResult unix_peercred(Actor& a, int fd, PeerCred* out) {
  ucred cred{};
  socklen_t len = sizeof cred;
  SysResult r = a.record("getsockopt", {{"fd", fd}, {"level", "SOL_SOCKET"}, {"optname", "SO_PEERCRED"}},
                         "getsockopt(" + std::to_string(fd) + ", SOL_SOCKET, SO_PEERCRED)",
                         [&] { return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len); },
                         [&](long) { return nlohmann::json{{"pid", cred.pid}, {"uid", cred.uid}, {"gid", cred.gid}}; });
  if (r.ok()) *out = PeerCred{cred.pid, static_cast<long>(cred.uid), static_cast<long>(cred.gid)};
  return r;
}

bool unix_proc_lists(const std::string& name) {
  std::ifstream in("/proc/net/unix");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string field, last;
    while (fields >> field) last = field;
    if (last == name) return true;
  }
  return false;
}

}  // namespace sockspec
