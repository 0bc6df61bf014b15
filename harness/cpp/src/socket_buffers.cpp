#include "sockspec/socket_buffers.h"

#include <sys/socket.h>

#include "sockspec/actor.h"
#include "sockspec/calls.h"
#include "sockspec/sysctl.h"

namespace sockspec {

void ask_for_buffer(Probe& p, int optname, int request) {
  Actor& client = p.client();
  UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
  p.observe("default", sockopt_int(client, fd.get(), SOL_SOCKET, optname));
  p.observe("set", outcome(client.setsockopt(fd.get(), SOL_SOCKET, optname, request)));
  p.observe("kept", sockopt_int(client, fd.get(), SOL_SOCKET, optname));
  p.observe("request", request);
  p.observe("cap", sysctl_int(optname == SO_SNDBUF ? "net.core.wmem_max" : "net.core.rmem_max"));
  client.close(fd);
}

}  // namespace sockspec
