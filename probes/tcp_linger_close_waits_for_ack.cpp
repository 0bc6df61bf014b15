// SO_LINGER with a timeout: close() returns once the queued data and the FIN are acknowledged.
#include <atomic>
#include <thread>

#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_linger_close_waits_for_ack",
      "The server's socket has a small SO_RCVBUF and does not read yet; the client\n"
      "sends without blocking until EAGAIN, so data waits unacknowledged in its send\n"
      "buffer. The client sets SO_LINGER {1, --linger-s} and close()s. Once the\n"
      "client's end is in FIN-WAIT-1 (its close() is running), the server gives\n"
      "close() up to a second to return, then reads everything. A lingering\n"
      "close() returns only when the data and its FIN are acknowledged\n"
      "(sk_stream_wait_close()), after the reads, although the socket is\n"
      "non-blocking. With --no-linger the client close()s without SO_LINGER: it\n"
      "returns at once, and the server reads after it.");
  int linger_s = 10;
  bool no_linger = false;
  probe.option("--linger-s", linger_s, "SO_LINGER's l_linger in seconds").range(1, 30);
  probe.flag("--no-linger", no_linger, "close() without SO_LINGER (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_with_buffers(p, 4096, 4096);
    const long accepted = sockspec::send_until_full(client, conn.client.get());
    p.observe("accepted", accepted);
    if (!no_linger) client.set_linger(conn.client.get(), 1, linger_s).must();

    std::atomic<bool> closed{false};
    std::thread reader([&] {
      sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "FIN-WAIT-1", 5s);
      // A close() that does not linger returns within this grace; a lingering one cannot.
      sockspec::wait_until([&] { return closed.load(); }, 1s);
      long got = 0;
      for (;;) {
        std::string part;
        const sockspec::SysResult r = server.recv(conn.server.get(), &part, 1 << 20);
        if (r.ret <= 0) break;
        got += r.ret;
      }
      p.observe("server_read", got);
    });
    p.observe("close", sockspec::outcome(client.close(conn.client)));
    closed = true;
    reader.join();
  });
}
