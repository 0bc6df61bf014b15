// net.ipv4.tcp_syncookies=2: every SYN+ACK is a SYN cookie, and the connection still works.
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_cookies",
      "A client connects to a listener and both sides exchange a line. The probe reads\n"
      "the namespace's TcpExt SyncookiesSent / SyncookiesRecv / SyncookiesFailed\n"
      "before and after. With net.ipv4.tcp_syncookies=2 the kernel sends a SYN cookie\n"
      "for every SYN (the server's ISN encodes the connection, no request socket is\n"
      "kept) and rebuilds the connection from the ACK that returns it\n"
      "(net/ipv4/syncookies.c cookie_v4_check(), tcp(7) tcp_syncookies). With 1 (the\n"
      "default) cookies are only sent when the SYN queue overflows; with 0 never.\n"
      "The client sends its line before the server accept()s: when the test drops\n"
      "the bare final ACK, the data segment's ACK completes the handshake. The probe\n"
      "counts the request sockets (SYN-RECV in sock_diag) right after connect():\n"
      "a cookie leaves none.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    p.observe("tcp_syncookies", std::stoi(sockspec::read_sysctl("net.ipv4.tcp_syncookies").value_or("-1")));
    const char* names[] = {"SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed"};
    long long before[3];
    for (int i = 0; i < 3; ++i) before[i] = ts::tcpext(names[i]);

    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    sockspec::Connection conn;
    conn.client = sockspec::connect_to(p.client(), listener.addr);
    p.client().getsockname(conn.client.get(), &conn.client_addr).must();
    sockspec::observe_endpoints(p, conn.client_addr, listener.addr);
    p.observe("request_sockets_after_connect", ts::count_in_state(p.af(), "SYN-RECV", listener.addr.port()));
    p.observe("queue_after_connect", p.server().listener_queue(listener.fd.get()).queued_json());
    // The data's ACK completes the handshake when the bare final ACK was lost.
    p.client().send(conn.client.get(), "hello from client").must();
    conn.server = p.server().accept(listener.fd.get()).fd();
    std::string at_server, at_client;
    p.server().recv(conn.server.get(), &at_server, 100).must();
    p.server().send(conn.server.get(), "hello from server").must();
    p.client().recv(conn.client.get(), &at_client, 100).must();
    p.observe("server_read", at_server);
    p.observe("client_read", at_client);

    nlohmann::json delta = nlohmann::json::object();
    for (int i = 0; i < 3; ++i) delta[names[i]] = sockspec::counter_change("TcpExt", names[i], before[i]);
    p.observe("counters", delta);
    p.client().close(conn.client);
    p.server().close(conn.server);
    p.server().close(listener.fd);
  });
}
