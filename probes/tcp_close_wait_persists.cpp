// CLOSE-WAIT has no timer: the socket stays there until the application closes it.
#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_close_wait_persists",
      "The client close()s; the server's socket receives the FIN and enters\n"
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
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);
    auto server_end = [&] { return tc::find(p.af(), conn.server_addr, conn.client_addr); };
    auto client_end = [&] { return tc::find(p.af(), conn.client_addr, conn.server_addr); };
    auto describe = [](const std::optional<sockspec::TcpSocketState>& s) -> nlohmann::json {
      return s ? s->to_json() : nlohmann::json{{"state", "none"}};
    };

    client.close(conn.client);
    std::string ignored;
    p.observe("server_read", sockspec::ret_or_errno(server.recv(conn.server.get(), &ignored, 100)));
    if (close_at_eof) server.close(conn.server);
    tc::wait_state(p.af(), conn.client_addr, conn.server_addr, close_at_eof ? "TIME-WAIT" : "FIN-WAIT-2", 3s);
    p.observe("client_end", describe(client_end()));
    p.observe("server_end", describe(server_end()));
    if (close_at_eof) return;

    // The peer's FIN-WAIT-2 expires; CLOSE-WAIT does not.
    const bool peer_gone = tc::wait_state(p.af(), conn.client_addr, conn.server_addr, "none", 10s);
    p.observe("peer_gone", peer_gone);
    p.observe("server_end_after_peer_gone", describe(server_end()));
    p.observe("server_state_after_peer_gone", tc::fd_state(conn.server.get()));

    server.close(conn.server);
    tc::wait_state(p.af(), conn.server_addr, conn.client_addr, "none", 3s);
    p.observe("server_end_after_close", describe(server_end()));
  });
}
