// SO_REUSEADDR lets a new server bind over a TIME-WAIT socket left on its
// port, when the listener that made the TIME-WAIT connection had it too.
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_reuseaddr_over_time_wait",
      "A listener (with SO_REUSEADDR, or without with --old-listener plain) accepts a\n"
      "connection and the server closes it first, so its end enters TIME-WAIT on the\n"
      "listener's port; the client closes too and the listener is closed. A new\n"
      "socket binds the port without SO_REUSEADDR; when that fails, another with\n"
      "SO_REUSEADDR; the one that bound listens and accepts a new client. The\n"
      "accepted socket, and so its TIME-WAIT, inherit the listener's SO_REUSEADDR.\n"
      "With --linger-zero the server aborts instead (SO_LINGER {1, 0}, RST), leaving\n"
      "no TIME-WAIT. Sources: socket(7) SO_REUSEADDR,\n"
      "net/ipv4/inet_connection_sock.c inet_csk_bind_conflict().");
  std::string old_listener = "reuseaddr";
  bool linger_zero = false;
  probe.option("--old-listener", old_listener, "whether the first listener set SO_REUSEADDR")
      .one_of({"reuseaddr", "plain"});
  probe.flag("--linger-zero", linger_zero, "the server aborts with SO_LINGER {1, 0}: no TIME-WAIT");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    sockspec::Actor& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4, [&](int fd) {
      if (old_listener == "reuseaddr") server.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1).must();
    });
    sockspec::Connection conn = sockspec::establish(p, listener);
    if (linger_zero) server.set_linger(conn.server.get(), 1, 0).must();
    server.close(conn.server);
    std::string eof;
    client.recv(conn.client.get(), &eof, 16);
    client.close(conn.client);
    sockspec::wait_connection_state(p.af(), listener.addr, conn.client_addr, linger_zero ? "none" : "TIME-WAIT", 5s);
    server.close(listener.fd);
    p.observe("server_end_state", sockspec::connection_state(p.af(), listener.addr, conn.client_addr));

    sockspec::UniqueFd rebound = server.socket(p.af(), SOCK_STREAM).fd();
    sockspec::SysResult bind = server.bind(rebound.get(), listener.addr);
    p.observe("bind_plain", sockspec::outcome(bind));
    if (!bind.ok()) {
      rebound = server.socket(p.af(), SOCK_STREAM).fd();
      server.setsockopt(rebound.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
      bind = server.bind(rebound.get(), listener.addr);
      p.observe("bind_reuseaddr", sockspec::outcome(bind));
    }
    if (!bind.ok()) return;

    server.listen(rebound.get(), 4).must();
    sockspec::Actor& client2 = p.actor("client-2");
    sockspec::UniqueFd fd = client2.socket(p.af(), SOCK_STREAM).fd();
    client2.bind(fd.get(), p.loopback(0)).must();  // an odd port: never the first client's (even) one
    const sockspec::SysResult connect = client2.connect(fd.get(), listener.addr);
    sockspec::SockAddr local;
    client2.getsockname(fd.get(), &local).must();
    p.observe("new_connect", sockspec::outcome(connect));
    p.observe("new_client_addr", local.to_string());
    if (connect.ok()) {
      sockspec::UniqueFd accepted = server.accept(rebound.get()).fd();
      server.close(accepted);
    }
    client2.close(fd);
  });
}
