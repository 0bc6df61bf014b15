// A socket bound to port P that connect()s to its own address:P connects to itself.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_self_connect",
      "One socket is bound to a loopback port P and connect()s to that same address\n"
      "and port, with no listener anywhere. Its SYN comes back to itself while it is\n"
      "in SYN-SENT: that is a simultaneous open (RFC 9293 3.5, figure 8) with only one\n"
      "socket. It answers its own SYN with a SYN+ACK, accepts that, and is ESTABLISHED;\n"
      "what it sends it then reads back. With --other-socket a second, unbound socket\n"
      "bound to another port, connect()s to P instead, and finds nobody listening (ECONNREFUSED).");
  bool other = false;
  probe.flag("--other-socket", other, "connect from a second socket bound to another port instead");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::UniqueFd self = client.socket(p.af(), SOCK_STREAM).fd();
    client.bind(self.get(), p.loopback()).must();
    sockspec::SockAddr addr;
    client.getsockname(self.get(), &addr).must();
    sockspec::UniqueFd from = other ? client.socket(p.af(), SOCK_STREAM).fd() : sockspec::UniqueFd();
    if (other) client.bind(from.get(), p.loopback()).must();
    const int fd = other ? from.get() : self.get();

    sockspec::SysResult c = client.connect(fd, addr);
    p.observe("connect", ts::outcome(c));
    sockspec::SockAddr local, peer;
    client.getsockname(fd, &local).must();
    p.observe("client_addr", local.to_string());
    p.observe("server_addr", addr.to_string());
    sockspec::SysResult gp = client.getpeername(fd, &peer);
    p.observe("peer", gp.ok() ? peer.to_string() : sockspec::errno_name(gp.err));
    p.observe("state", ts::tcp_state_of(fd));
    if (c.ok()) {
      client.send(fd, "talking to myself").must();
      std::string back;
      sockspec::SysResult r = client.recv(fd, &back, 100);
      p.observe("read_back", back);
      p.observe("read_ret", r.ret);
    }
    if (other) client.close(from);
    client.close(self);
  });
}
