// A second bind() to a port in use fails with EADDRINUSE; what SO_REUSEADDR
// changes, also with a TIME_WAIT socket left on the port.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_eaddrinuse_reuseaddr",
      "Five cases, each on a fresh loopback port: (1) a socket is bound, not listening;\n"
      "a second bind() to its port without options. (2) the same with SO_REUSEADDR on\n"
      "both, then both call listen(). (3) a listener with SO_REUSEADDR; a second socket\n"
      "with SO_REUSEADDR binds its port. (4) the server closes an accepted connection\n"
      "first, so its end enters TIME-WAIT on the listener's port; the listener is\n"
      "closed; a new socket binds the port without SO_REUSEADDR, another with it, and\n"
      "that one listens and accepts a new client. (5) as (4), the first listener having\n"
      "set SO_REUSEADDR (the accepted socket and its TIME-WAIT inherit it). With\n"
      "--linger-zero the server aborts in (4) and (5)\n"
      "(SO_LINGER {1, 0}, RST) instead, leaving no TIME-WAIT. Sources: socket(7)\n"
      "SO_REUSEADDR, net/ipv4/inet_connection_sock.c inet_csk_bind_conflict().");
  bool linger_zero = false;
  probe.flag("--linger-zero", linger_zero, "case 4: the server aborts with SO_LINGER {1, 0}: no TIME-WAIT");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    namespace sa = sockspec::socket_api;
    auto fresh = [&](bool reuse) {
      sockspec::UniqueFd fd = server.socket(p.af(), SOCK_STREAM).fd();
      if (reuse) server.setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
      return fd;
    };
    auto bound_port = [&](int fd) {
      sockspec::SockAddr a;
      server.getsockname(fd, &a).must();
      return a.port();
    };
    nlohmann::json cases = nlohmann::json::object();

    p.note("case 1: a bound socket, no options");
    sockspec::UniqueFd a1 = fresh(false), a2 = fresh(false);
    server.bind(a1.get(), p.loopback(0)).must();
    cases["bound_plain"] = {{"second_bind", sockspec::outcome(server.bind(a2.get(), p.loopback(bound_port(a1.get()))))}};

    p.note("case 2: SO_REUSEADDR on both, neither listening yet");
    sockspec::UniqueFd b1 = fresh(true), b2 = fresh(true);
    server.bind(b1.get(), p.loopback(0)).must();
    const sockspec::SysResult b2_bind = server.bind(b2.get(), p.loopback(bound_port(b1.get())));
    const sockspec::SysResult b1_listen = server.listen(b1.get(), 4);
    const sockspec::SysResult b2_listen = server.listen(b2.get(), 4);
    cases["both_reuseaddr"] = {{"second_bind", sockspec::outcome(b2_bind)}, {"first_listen", sockspec::outcome(b1_listen)},
                               {"second_listen", sockspec::outcome(b2_listen)}};

    p.note("case 3: a listener with SO_REUSEADDR");
    sockspec::UniqueFd c1 = fresh(true), c2 = fresh(true);
    server.bind(c1.get(), p.loopback(0)).must();
    server.listen(c1.get(), 4).must();
    cases["listener_reuseaddr"] = {{"second_bind", sockspec::outcome(server.bind(c2.get(), p.loopback(bound_port(c1.get()))))}};

    // Cases 4 and 5: the server closes first and leaves TIME-WAIT on the listener's port.
    auto time_wait_case = [&](bool listener_reuse) {
      sockspec::Listener listener = sockspec::listen_on_loopback(p, 4, [&](int fd) {
        if (listener_reuse) server.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1).must();
      });
      sockspec::Connection conn = sockspec::establish(p, listener);
      if (linger_zero) server.set_linger(conn.server.get(), 1, 0).must();
      server.close(conn.server);
      std::string eof;
      p.client().recv(conn.client.get(), &eof, 16);
      p.client().close(conn.client);
      auto server_end = [&] {
        for (const auto& s : sockspec::list_tcp_sockets(p.af()))
          if (s.local.to_string() == listener.addr.to_string() && s.remote.to_string() == conn.client_addr.to_string())
            return s.state_name;
        return std::string("none");
      };
      sockspec::wait_until([&] { return server_end() == (linger_zero ? "none" : "TIME-WAIT"); }, 5s);
      server.close(listener.fd);
      const std::string state = server_end();
      sockspec::UniqueFd d1 = fresh(false), d2 = fresh(true);
      const sockspec::SysResult plain = server.bind(d1.get(), listener.addr);
      const sockspec::SysResult reuse = plain.ok() ? plain : server.bind(d2.get(), listener.addr);
      nlohmann::json tw = {{"server_end_state", state}, {"bind_plain", sockspec::outcome(plain)},
                           {"bind_reuseaddr", sockspec::outcome(reuse)}, {"client_addr", conn.client_addr.to_string()},
                           {"server_addr", listener.addr.to_string()}};
      sockspec::UniqueFd& relistener = plain.ok() ? d1 : d2;
      if (reuse.ok()) {
        server.listen(relistener.get(), 4).must();
        sockspec::Actor& client2 = p.actor("client-2");
        sockspec::UniqueFd c = client2.socket(p.af(), SOCK_STREAM).fd();
        client2.bind(c.get(), p.loopback(0)).must();  // an odd port: never the first client's (even) one
        sockspec::SysResult r = client2.connect(c.get(), listener.addr);
        sockspec::SockAddr local;
        client2.getsockname(c.get(), &local).must();
        tw.update({{"new_connect", sockspec::outcome(r)}, {"new_client_addr", local.to_string()}});
        if (r.ok()) {
          sockspec::UniqueFd accepted = server.accept(relistener.get()).fd();
          server.close(accepted);
        }
        client2.close(c);
      }
      return tw;
    };
    p.note("case 4: TIME-WAIT left by a listener without SO_REUSEADDR");
    cases["time_wait"] = time_wait_case(false);
    p.note("case 5: TIME-WAIT left by a listener with SO_REUSEADDR");
    cases["time_wait_reuse_listener"] = time_wait_case(true);
    p.observe("cases", cases);
  });
}
