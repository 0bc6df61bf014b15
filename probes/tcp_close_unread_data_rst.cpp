// close() with unread data in the receive buffer sends RST, not FIN.
#include "sockspec/calls.h"
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
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
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);

    const std::string request = "a request the server never reads\n";
    client.send(conn.client.get(), request).must();
    sockspec::wait_until([&] { return sockspec::unread_bytes(conn.server.get()) >= static_cast<long>(request.size()); }, 3s);
    if (read_first) {
      std::string got;
      while (got.size() < request.size())
        if (server.recv(conn.server.get(), &got, 4096).must() == 0) break;
    }
    p.observe("server_unread_at_close", sockspec::observed_or(sockspec::unread_bytes(conn.server.get()), "ioctl(SIOCINQ) failed"));
    p.observe("server_close", sockspec::ret_or_errno(server.close(conn.server)));

    // The client has heard from the server: reset (CLOSE) or FIN (CLOSE-WAIT).
    sockspec::wait_observed([&] {
      return sockspec::holds(sockspec::tcp_state(conn.client.get()),
                             [](const nlohmann::json& s) { return s == "CLOSE" || s == "CLOSE-WAIT"; });
    }, 3s);
    p.observe("client_state", sockspec::tcp_state(conn.client.get()));
    std::string ignored;
    p.observe("client_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    p.observe("client_read_again", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    client.close(conn.client);
  });
}
