// AF_UNIX sockets: addresses (filesystem paths and the abstract namespace),
// the recorded calls that take them, SO_PEERCRED, /proc/net/unix.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string>

#include "sockspec/actor.h"
#include "sockspec/fd.h"
#include "sockspec/datagram.h"

namespace sockspec {

class UnixAddr {
 public:
  // A filesystem name: bind() creates a socket file there.
  static UnixAddr path(const std::string& p);
  // An abstract name: a leading NUL byte, no file, gone with the last socket.
  static UnixAddr abstract(const std::string& name);

  const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&sun_); }
  socklen_t len() const { return len_; }
  // "/tmp/x/sock", or "@name" for an abstract name (as /proc/net/unix writes it).
  std::string to_string() const;

 private:
  sockaddr_un sun_{};
  socklen_t len_ = 0;
};

// A name for this run that no other run shares: "sockspec-<what>-<pid>".
std::string unix_unique_name(const std::string& what);

SysResult unix_bind(Actor& a, int fd, const UnixAddr& addr);
SysResult unix_connect(Actor& a, int fd, const UnixAddr& addr);
// socketpair(AF_UNIX, type, 0); fds[0], fds[1] owned by the caller.
SysResult unix_socketpair(Actor& a, int type, UniqueFd* first, UniqueFd* second);
// A listening socket of the type on an abstract name.
UniqueFd unix_listener(Actor& a, int type, const UnixAddr& addr, int backlog);

struct PeerCred {
  long pid = -1;
  long uid = -1;
  long gid = -1;
};
// getsockopt(SO_PEERCRED), recorded.
SysResult unix_peercred(Actor& a, int fd, PeerCred* out);

// Whether /proc/net/unix lists a socket bound to this name ("@name" or a path).
bool unix_proc_lists(const std::string& name);

}  // namespace sockspec
