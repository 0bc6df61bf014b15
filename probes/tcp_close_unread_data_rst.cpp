// close() with unread data in the receive buffer sends RST, not FIN.
#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_close_unread_data_rst",
      "The client sends a request; the server lets it arrive (SIOCINQ shows it\n"
      "queued) and close()s without reading it. Linux's tcp_close() then discards the\n"
      "data and sends RST instead of FIN (RFC 2525 2.17, RFC 9293 3.6 note on\n"
      "close with pending data): the client's socket is reset and its read gives\n"
      "ECONNRESET. With --read-first the server reads everything before close():\n"
      "an ordinary FIN, and the client reads EOF (0).");
  bool read_first = false;
  probe.flag("--read-first", read_first, "the server reads the request before close()");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);

    const std::string request = "a request the server never reads\n";
    client.send(conn.client.get(), request).must();
    sockspec::wait_until([&] { return tc::unread_bytes(conn.server.get()) >= static_cast<long>(request.size()); }, 3s);
    if (read_first) {
      std::string got;
      while (got.size() < request.size())
        if (server.recv(conn.server.get(), &got, 4096).must() == 0) break;
    }
    p.observe("server_unread_at_close", tc::unread_bytes(conn.server.get()));
    p.observe("server_close", sockspec::ret_or_errno(server.close(conn.server)));

    // The client has heard from the server: reset (CLOSE) or FIN (CLOSE-WAIT).
    sockspec::wait_until([&] {
      const std::string s = tc::fd_state(conn.client.get());
      return s == "CLOSE" || s == "CLOSE-WAIT";
    }, 3s);
    p.observe("client_state", tc::fd_state(conn.client.get()));
    std::string ignored;
    p.observe("client_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    p.observe("client_read_again", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    client.close(conn.client);
  });
}
