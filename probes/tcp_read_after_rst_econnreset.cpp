// After an RST arrives, read() reports ECONNRESET once, then EOF.
#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_read_after_rst_econnreset",
      "The server aborts the connection (SO_LINGER {1, 0}, then close(): RST). Once\n"
      "the client's socket is reset (TCP_INFO: CLOSE) it reads three times: the reset\n"
      "is reported once as ECONNRESET (tcp_reset() sets sk_err, which the next call\n"
      "consumes), then reads return 0 as at end of stream; a write fails with EPIPE.\n"
      "With --peer-close fin the server closes normally: the first read gives 0.");
  std::string peer_close = "rst";
  probe.option("--peer-close", peer_close, "how the server closes: rst (SO_LINGER {1, 0}) or fin")
      .one_of({"rst", "fin"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);

    if (peer_close == "rst") server.set_linger(conn.server.get(), 1, 0).must();
    server.close(conn.server);
    const std::string expect = peer_close == "rst" ? "CLOSE" : "CLOSE-WAIT";
    tc::wait_fd_state(conn.client.get(), expect, 3s);
    p.observe("client_state", tc::fd_state(conn.client.get()));
    std::string ignored;
    p.observe("first_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    p.observe("second_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    p.observe("third_read", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    p.observe("write_after", sockspec::ret_or_errno(client.send(conn.client.get(), "late\n", MSG_NOSIGNAL)));
    client.close(conn.client);
  });
}
