// CLOSE-WAIT has no timer: the socket stays there until the application closes it.
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_close_wait_persists",
      "The client shuts down its sending side and, once its FIN is acknowledged,\n"
      "close()s; the server's socket receives the FIN and enters\n"
      "CLOSE-WAIT, which has no timer (RFC 9293 3.6: the connection waits for the\n"
      "local user's CLOSE). The server does not close: the probe waits until the\n"
      "client's orphaned FIN-WAIT-2 socket has expired (net.ipv4.tcp_fin_timeout, set\n"
      "small by the suite) and shows the server's socket still in CLOSE-WAIT, its\n"
      "peer gone. Only then does the server close(): its FIN reaches no socket and\n"
      "is answered with RST. With --close-at-eof the server closes as soon as it\n"
      "reads EOF, and no CLOSE-WAIT socket remains.");
  bool close_at_eof = false;
  probe.flag("--close-at-eof", close_at_eof, "the server closes as soon as it reads EOF");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    auto server_end = [&] { return sockspec::describe_connection(p.af(), conn.server_addr, conn.client_addr); };
    auto client_end = [&] { return sockspec::describe_connection(p.af(), conn.client_addr, conn.server_addr); };

    // The client closes once its FIN is acknowledged (tcp_close() then
    // orphans a FIN-WAIT-2 socket that tcp_fin_timeout ends): a close() from
    // ESTABLISHED races that ACK against its own socket lock, and losing
    // leaves a full socket that resets the server when the timeout ends
    // (qemu 6.12 under load), as in tcp_fin_wait2_orphan_timeout.
    client.shutdown(conn.client.get(), SHUT_WR).must();
    sockspec::wait_tcp_state(conn.client.get(), "FIN-WAIT-2", 3s);
    client.close(conn.client);
    std::string ignored;
    p.observe("server_read", sockspec::ret_or_errno(server.recv(conn.server.get(), &ignored, 100)));
    if (close_at_eof) server.close(conn.server);
    sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, close_at_eof ? "TIME-WAIT" : "FIN-WAIT-2", 3s);
    p.observe("client_end", client_end());
    p.observe("server_end", server_end());
    if (close_at_eof) return;

    // The peer's FIN-WAIT-2 expires; CLOSE-WAIT does not.
    const nlohmann::json peer_gone = sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "none", 10s);
    p.observe("peer_gone", peer_gone);
    p.observe("server_end_after_peer_gone", server_end());
    p.observe("server_state_after_peer_gone", sockspec::tcp_state(conn.server.get()));

    server.close(conn.server);
    sockspec::wait_connection_state(p.af(), conn.server_addr, conn.client_addr, "none", 3s);
    p.observe("server_end_after_close", server_end());
  });
}
