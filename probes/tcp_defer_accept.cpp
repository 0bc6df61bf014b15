// TCP_DEFER_ACCEPT: the connection reaches accept() only when data arrives.
#include "sockspec/counters.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_defer_accept",
      "The listener sets TCP_DEFER_ACCEPT (--defer-s seconds). A client connect()s:\n"
      "its connect() returns, but the server drops the handshake's bare final ACK\n"
      "(TcpExt TCPDeferAcceptDrop grows; net/ipv4/tcp_minisocks.c tcp_check_req())\n"
      "and keeps the connection as a request socket, out of the accept queue: a\n"
      "non-blocking accept() gives EAGAIN. When the client's first data arrives, it\n"
      "completes the connection, which is queued with the data: accept() returns and\n"
      "the data is readable at once (tcp(7) TCP_DEFER_ACCEPT).");
  int defer_s = 5;
  probe.option("--defer-s", defer_s, "TCP_DEFER_ACCEPT on the listener, seconds (0: not set)")
      .range(0, 600);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4, [&](int fd) {
      if (defer_s) server.setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, defer_s).must();
    });
    server.set_nonblocking(listener.fd.get()).must();
    const std::optional<long long> drops0 = sockspec::read_net_counter("TcpExt", "TCPDeferAcceptDrop");

    sockspec::UniqueFd fd = sockspec::connect_to(client, listener.addr);
    sockspec::SockAddr local;
    client.getsockname(fd.get(), &local).must();
    sockspec::observe_endpoints(p, local, listener.addr);
    // Either the bare ACK is dropped by the deferral or it queues the
    // connection; where neither can be read there is nothing to wait for.
    if (drops0 || sockspec::read_listener_queue(listener.fd.get()).valid) sockspec::wait_until([&] {
      return sockspec::growth(drops0, sockspec::read_net_counter("TcpExt", "TCPDeferAcceptDrop")).value_or(0) > 0 || sockspec::read_listener_queue(listener.fd.get()).queued > 0;
    }, 3s);
    p.observe("ack_dropped", sockspec::counter_change("TcpExt", "TCPDeferAcceptDrop", drops0));
    p.observe("queue_before_data", server.listener_queue(listener.fd.get()).queued_json());
    p.observe("request_sockets_before_data", sockspec::count_in_state(p.af(), "SYN-RECV", listener.addr.port()));
    sockspec::SysResult early = server.accept(listener.fd.get());
    p.observe("accept_before_data", sockspec::outcome(early));
    sockspec::UniqueFd conn = early.ok() ? early.fd() : sockspec::UniqueFd();

    client.send(fd.get(), "first request").must();
    if (!conn) {
      p.observe("queued_after_data", sockspec::wait_listener_queued(listener.fd.get(), 1, 3s));
      sockspec::SysResult a = server.accept(listener.fd.get());
      p.observe("accept_after_data", sockspec::outcome(a));
      if (a.ok()) conn = a.fd();
    }
    if (conn) {
      std::string data;
      sockspec::SysResult r = server.recv(conn.get(), &data, 100, MSG_DONTWAIT);
      p.observe("read_at_once", r.ok() ? data : sockspec::errno_name(r.err));
      server.close(conn);
    }
    client.close(fd);
    server.close(listener.fd);
  });
}
