// SEED-11: a new socket is active (ready to connect()); listen() makes it
// passive. accept() on an active socket and connect() on a passive one fail.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("socket_active_by_default",
      "A target listener waits on loopback. The probe then (1) calls accept() on a new,\n"
      "bound but not listening TCP socket, (2) calls connect() to the target from a\n"
      "socket that listen() made passive, (3) calls listen() and accept() on a UDP\n"
      "socket, and (4) connect()s a new TCP socket to the target, which works: a new\n"
      "socket is active. With --no-listen the socket of (2) is bound but never listens,\n"
      "so its connect() succeeds. Sources: accept(2) EINVAL, connect(2) EISCONN,\n"
      "listen(2) EOPNOTSUPP; net/ipv4/af_inet.c __inet_stream_connect().");
  bool no_listen = false;
  probe.flag("--no-listen", no_listen, "the socket of step 2 is bound but does not listen()");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace sa = sockspec::socket_api;
    sockspec::Listener target = sockspec::listen_on_loopback(p, 8);
    sockspec::Actor& app = p.actor("app");

    p.note("1: accept() on a socket that never called listen()");
    sockspec::UniqueFd fresh = app.socket(p.af(), SOCK_STREAM).fd();
    app.bind(fresh.get(), p.loopback(0)).must();
    p.observe("accept_on_active", sockspec::outcome(app.accept(fresh.get())));

    p.note("2: connect() from a passive (listening) socket");
    sockspec::UniqueFd passive = app.socket(p.af(), SOCK_STREAM).fd();
    app.bind(passive.get(), p.loopback(0)).must();
    if (!no_listen) app.listen(passive.get(), 4).must();
    sockspec::SockAddr passive_addr;
    app.getsockname(passive.get(), &passive_addr).must();
    p.observe("passive_addr", passive_addr.to_string());
    p.observe("connect_on_passive", sockspec::outcome(app.connect(passive.get(), target.addr)));

    p.note("3: listen() and accept() on a UDP socket");
    sockspec::UniqueFd udp = app.socket(p.af(), SOCK_DGRAM).fd();
    app.bind(udp.get(), p.loopback(0)).must();
    p.observe("listen_on_udp", sockspec::outcome(app.listen(udp.get(), 4)));
    p.observe("accept_on_udp", sockspec::outcome(app.accept(udp.get())));

    p.note("4: connect() from a new socket");
    sockspec::UniqueFd active = app.socket(p.af(), SOCK_STREAM).fd();
    const sockspec::SysResult c = app.connect(active.get(), target.addr);
    p.observe("connect_on_new", sockspec::outcome(c));
    sockspec::SockAddr local;
    app.getsockname(active.get(), &local).must();
    sockspec::observe_endpoints(p, local, target.addr);
    for (auto* fd : {&fresh, &passive, &udp, &active}) app.close(*fd);
    p.server().close(target.fd);
  });
}
