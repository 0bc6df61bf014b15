// A FIN waits behind unacknowledged data and crosses only after the last byte.
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fin_queued_behind_data",
      "The server's socket has a small SO_RCVBUF and does not read yet. The client\n"
      "sends without blocking until EAGAIN (or only --bytes), then shutdown(SHUT_WR):\n"
      "its end is in FIN-WAIT-1 at once, yet the FIN is queued behind the data the\n"
      "closed window holds back (tcp_send_fin() marks the last queued segment). The\n"
      "server then reads until end of file; the FIN crosses with or after the last\n"
      "byte, and the client's end reaches FIN-WAIT-2. With --bytes small enough for\n"
      "the window, nothing waits and the FIN crosses at shutdown().");
  int bytes = 0;
  probe.option("--bytes", bytes, "send only this many bytes (0: until EAGAIN)").range(0, 1 << 20);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_with_buffers(p, 4096, 4096);
    const int cfd = conn.client.get();
    const long accepted = bytes ? client.send(cfd, std::string(bytes, 'x')).must()
                                : sockspec::send_until_full(client, cfd);
    p.observe("accepted", accepted);
    client.shutdown(cfd, SHUT_WR).must();
    p.observe("state_after_shutdown", sockspec::tcp_state(cfd));
    p.observe("client_outq_after_shutdown", sockspec::outq(client, cfd));

    long got = 0;
    std::string last;
    for (;;) {
      std::string part;
      const sockspec::SysResult r = server.recv(conn.server.get(), &part, 1 << 20);
      last = sockspec::ret_or_errno(r);
      if (r.ret <= 0) break;
      got += r.ret;
    }
    p.observe("server_read", got);
    p.observe("server_last_read", last);
    p.observe("client_fin_wait_2", sockspec::wait_tcp_state(cfd, "FIN-WAIT-2", 5s));
  });
}
