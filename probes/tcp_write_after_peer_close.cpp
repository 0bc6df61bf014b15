// Writing to a connection the peer has closed: the first write draws RST, the next fails with EPIPE and SIGPIPE.
#include <signal.h>

#include <atomic>

#include "sockspec/scenario.h"

using namespace std::chrono_literals;

namespace {
std::atomic<int> g_sigpipes{0};
void on_sigpipe(int) { ++g_sigpipes; }
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_write_after_peer_close",
      "The server close()s; the client's socket is in CLOSE-WAIT. The client's first\n"
      "write succeeds (a FIN only says the peer sends no more) and its data reaches a\n"
      "socket that was closed, which answers with RST (tcp_rcv_state_process(): data\n"
      "after shutdown). The reset of a CLOSE-WAIT socket records EPIPE (tcp_reset()),\n"
      "so the second write fails with EPIPE and raises SIGPIPE, as later writes do\n"
      "(send(2)). The probe counts SIGPIPEs with a handler. With --nosignal every\n"
      "write uses MSG_NOSIGNAL: the same errors, no signal.");
  bool nosignal = false;
  probe.flag("--nosignal", nosignal, "write with MSG_NOSIGNAL");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    struct sigaction sa{};
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, nullptr);
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);

    server.close(conn.server);
    sockspec::wait_tcp_state(conn.client.get(), "CLOSE-WAIT", 3s);
    p.observe("client_state_after_fin", sockspec::tcp_state(conn.client.get()));
    const int flags = nosignal ? MSG_NOSIGNAL : 0;
    p.observe("first_write", sockspec::ret_or_errno(client.send(conn.client.get(), "first write\n", flags)));
    p.observe("sigpipes_after_first", g_sigpipes.load());
    sockspec::wait_tcp_state(conn.client.get(), "CLOSE", 3s);
    p.observe("client_state_after_first", sockspec::tcp_state(conn.client.get()));
    p.observe("second_write", sockspec::ret_or_errno(client.send(conn.client.get(), "second write\n", flags)));
    p.observe("sigpipes_after_second", g_sigpipes.load());
    p.observe("third_write", sockspec::ret_or_errno(client.send(conn.client.get(), "third write\n", flags)));
    p.observe("sigpipes_after_third", g_sigpipes.load());
    std::string ignored;
    p.observe("read_after", sockspec::ret_or_errno(client.recv(conn.client.get(), &ignored, 100)));
    client.close(conn.client);
  });
}
