#include "sockspec/scenario.h"

namespace sockspec {

Listener listen_on_loopback(Probe& p, int backlog, const std::function<void(int)>& configure) {
  Actor& server = p.server();
  Listener l;
  l.fd = server.socket(p.af(), SOCK_STREAM).fd();
  server.bind(l.fd.get(), p.loopback()).must();
  if (configure) configure(l.fd.get());
  server.listen(l.fd.get(), backlog).must();
  server.getsockname(l.fd.get(), &l.addr).must();
  return l;
}

UniqueFd connect_to(Actor& client, const SockAddr& addr, const std::function<void(int)>& configure) {
  UniqueFd fd = client.socket(addr.family(), SOCK_STREAM).fd();
  if (configure) configure(fd.get());
  client.connect(fd.get(), addr).must();
  return fd;
}

Connection establish(Probe& p, Listener& listener) {
  Connection c;
  c.client = connect_to(p.client(), listener.addr);
  p.client().getsockname(c.client.get(), &c.client_addr).must();
  c.server = p.server().accept(listener.fd.get()).fd();
  c.server_addr = listener.addr;
  observe_endpoints(p, c.client_addr, c.server_addr);
  return c;
}

Listener listen_on_port(Probe& p, uint16_t port, int backlog, const std::function<void(int)>& configure) {
  Actor& server = p.server();
  Listener l;
  l.fd = server.socket(p.af(), SOCK_STREAM).fd();
  server.setsockopt(l.fd.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
  server.bind(l.fd.get(), p.loopback(port)).must();
  if (configure) configure(l.fd.get());
  server.listen(l.fd.get(), backlog).must();
  server.getsockname(l.fd.get(), &l.addr).must();
  return l;
}

Connection establish_with(Probe& p, Listener& listener, const std::function<void(int)>& configure_client) {
  Connection c;
  c.client = connect_to(p.client(), listener.addr, configure_client);
  p.client().getsockname(c.client.get(), &c.client_addr).must();
  c.server = p.server().accept(listener.fd.get()).fd();
  c.server_addr = listener.addr;
  observe_endpoints(p, c.client_addr, c.server_addr);
  return c;
}

Connection connected_pair(Probe& p) { return connected_pair(p, listen_on_loopback(p, 1)); }

Connection connected_pair(Probe& p, Listener listener) {
  Connection c = establish(p, listener);
  p.server().close(listener.fd);
  return c;
}

StartedConnect start_connect(Actor& a, const SockAddr& to, const SockAddr* local) {
  StartedConnect c;
  c.fd = a.socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK).fd();
  if (local) a.bind(c.fd.get(), *local).must();
  c.connect = a.connect(c.fd.get(), to);
  a.getsockname(c.fd.get(), &c.local).must();
  return c;
}

DatagramPair udp_pair(Probe& p) {
  DatagramPair d{udp_bound(p.server(), p.family()), udp_bound(p.client(), p.family())};
  observe_endpoints(p, d.client.addr, d.server.addr);
  return d;
}

Connection connected_with_buffers(Probe& p, int rcvbuf, int sndbuf) {
  Listener listener = listen_on_port(p, 0, 1, [&](int fd) {
    p.server().setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf).must();
  });
  return establish_with(p, listener, [&](int fd) {
    p.client().setsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf).must();
  });
}

long send_until_full(Actor& sender, int fd) {
  sender.set_nonblocking(fd).must();
  const std::string chunk(65536, 'x');
  long accepted = 0;
  for (int i = 0; i < 1000; ++i) {
    const SysResult r = sender.send(fd, chunk);
    if (!r.ok()) break;
    accepted += r.ret;
  }
  return accepted;
}

Endpoints leave_client_time_wait(Probe& p, Listener& listener, const std::function<void(int)>& configure_client) {
  Connection c = establish_with(p, listener, configure_client);
  p.client().close(c.client);
  std::string eof;
  p.server().recv(c.server.get(), &eof, 16);
  p.server().close(c.server);
  wait_connection_state(p.af(), c.client_addr, c.server_addr, "TIME-WAIT", std::chrono::seconds(5));
  return {c.client_addr, c.server_addr};
}

namespace {
size_t send_and_read_all(Actor& from, int from_fd, Actor& to, int to_fd, size_t bytes, char fill) {
  from.send(from_fd, std::string(bytes, fill)).must();
  std::string got;
  while (got.size() < bytes)
    if (to.recv(to_fd, &got, bytes - got.size()).must() == 0) break;
  return got.size();
}
}  // namespace

size_t deliver(Probe& p, Connection& conn, size_t bytes) {
  return send_and_read_all(p.client(), conn.client.get(), p.server(), conn.server.get(), bytes, 'q');
}

PortOption::PortOption(Probe& probe) {
  probe.option("--port", port, "the listener's port (0: the kernel chooses)").range(0, 65535);
}

DeliveryOptions::DeliveryOptions(Probe& probe) {
  probe.option("--port", port, "the server's port (0: any)").range(0, 65535);
  probe.option("--bytes", bytes, "bytes the client sends").range(1, 10000);
}

Connection delivered_on_port(Probe& p, uint16_t port, size_t bytes) {
  Connection conn = connected_pair(p, listen_on_port(p, port));
  p.observe("received", deliver(p, conn, bytes));
  return conn;
}

void request_response(Probe& p, Connection& conn, size_t bytes) {
  if (deliver(p, conn, bytes) < bytes) return;
  send_and_read_all(p.server(), conn.server.get(), p.client(), conn.client.get(), bytes, 'r');
}

Connection LossyPairOptions::connected_pair(Probe& p) const {
  p.observe("rto_min_via", rto_min.apply(p));
  return sockspec::connected_pair(p, port.listen(p));
}

void server_closes_first(Probe& p, Connection& conn) {
  p.server().close(conn.server);
  std::string rest;
  while (p.client().recv(conn.client.get(), &rest, 4096).must() > 0) {
  }
  p.client().close(conn.client);
}

void observe_endpoints(Probe& p, const SockAddr& client, const SockAddr& server) {
  p.observe("client_addr", client.to_string());
  p.observe("server_addr", server.to_string());
}

BoundUdp udp_client_to(Probe& p, const SockAddr& to) {
  BoundUdp tx = udp_bound(p.client(), p.family());
  observe_endpoints(p, tx.addr, to);
  return tx;
}

}  // namespace sockspec
