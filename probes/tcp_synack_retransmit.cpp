// The handshake's final ACK is lost: the server retransmits its SYN+ACK; the client's connect() already returned.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;
namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_retransmit",
      "The client connect()s (blocking) and sends nothing. The test drops the\n"
      "client's final ACK of the handshake: the client's connect() has already\n"
      "returned (it saw the SYN+ACK and is ESTABLISHED), but the server holds only a\n"
      "request socket (SYN-RECV in sock_diag) and nothing in the accept queue.\n"
      "After the initial RTO of 1 s the server retransmits SYN+ACK (RFC 9293 3.8.1,\n"
      "net/ipv4/inet_connection_sock.c reqsk_timer_handler()); the client answers\n"
      "with an ACK again, and the connection reaches the accept queue. The probe\n"
      "waits on the accept queue's length, then accept()s.");
  int wait_ms = 5000;
  probe.option("--wait-ms", wait_ms, "how long to wait for the connection to reach the accept queue")
      .range(0, 60000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    sockspec::SysResult c = client.connect(fd.get(), listener.addr);
    p.observe("connect", ts::outcome(c));
    sockspec::SockAddr local;
    client.getsockname(fd.get(), &local).must();
    sockspec::observe_endpoints(p, local, listener.addr);
    p.observe("client_state", ts::tcp_state_of(fd.get()));
    p.observe("queue_after_connect", server.listener_queue(listener.fd.get()).queued_json());
    p.observe("request_sockets_after_connect",
              ts::count_in_state(p.af(), "SYN-RECV", listener.addr.port()));

    const bool queued = sockspec::wait_until(
        [&] { return sockspec::read_listener_queue(listener.fd.get()).queued >= 1; },
        std::chrono::milliseconds(wait_ms));
    p.observe("queued", queued);
    server.listener_queue(listener.fd.get());
    p.note(queued ? "the connection is in the accept queue" : "the connection never reached the accept queue");
    if (queued) {
      sockspec::UniqueFd conn = server.accept(listener.fd.get()).fd();
      p.observe("server_state", ts::tcp_state_of(conn.get()));
      server.close(conn);
    }
    client.close(fd);
    server.close(listener.fd);
  });
}
