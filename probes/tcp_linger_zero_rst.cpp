// SO_LINGER {1, 0}: close() aborts the connection with RST and leaves no TIME-WAIT.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_linger_zero_rst",
      "The client sets SO_LINGER {l_onoff=1, l_linger=0} and close()s an established\n"
      "connection: the kernel aborts it (tcp_close() -> tcp_disconnect()), sends RST\n"
      "instead of FIN, and the socket is gone at once, no TIME-WAIT (socket(7)). The\n"
      "server's read gives ECONNRESET. With --linger off the client closes normally:\n"
      "FIN, and after the server closes too the client is in TIME-WAIT.");
  std::string linger = "zero";
  probe.option("--linger", linger, "the client's SO_LINGER: zero ({1, 0}) or off (not set)")
      .one_of({"zero", "off"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);

    if (linger == "zero") client.set_linger(conn.client.get(), 1, 0).must();
    p.observe("client_close", sockspec::ret_or_errno(client.close(conn.client)));
    p.observe("client_after_close", sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr));

    sockspec::wait_observed([&] {
      return sockspec::holds(sockspec::tcp_state(conn.server.get()),
                             [](const nlohmann::json& s) { return s == "CLOSE" || s == "CLOSE-WAIT"; });
    }, 3s);
    p.observe("server_state", sockspec::tcp_state(conn.server.get()));
    std::string ignored;
    p.observe("server_read", sockspec::ret_or_errno(server.recv(conn.server.get(), &ignored, 100)));
    server.close(conn.server);
    // Settled: the client's end is gone or in TIME-WAIT, the server's gone
    // (at once where sock_diag cannot show them).
    sockspec::wait_observed([&] {
      return sockspec::holds(sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr), [&](const nlohmann::json& c) {
        return (c == "none" || c == "TIME-WAIT") && sockspec::connection_state(p.af(), conn.server_addr, conn.client_addr) == "none";
      });
    }, 3s);
    p.observe("client_after", sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr));
    p.observe("server_after", sockspec::connection_state(p.af(), conn.server_addr, conn.client_addr));
  });
}
