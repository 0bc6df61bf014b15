// SO_LINGER with a timeout the peer never lets finish: close() returns when the timer runs out.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_linger_timeout_expires",
      "The server's socket has a small SO_RCVBUF and never reads, so its window\n"
      "closes; the client sends without blocking until EAGAIN, sets SO_LINGER\n"
      "{1, --linger-s} and close()s. The data cannot be acknowledged, so close()\n"
      "waits the whole linger time (sk_stream_wait_close()) and then returns. The\n"
      "probe observes what close() returned, how long it took, and the client's\n"
      "end afterwards through sock_diag: Linux keeps it, orphaned, in FIN-WAIT-1\n"
      "with its data still queued, instead of resetting the connection.");
  int linger_s = 1;
  probe.option("--linger-s", linger_s, "SO_LINGER's l_linger in seconds").range(1, 30);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_with_buffers(p, 4096, 4096);
    p.observe("accepted", sockspec::send_until_full(client, conn.client.get()));
    p.observe("client_outq_before_close", sockspec::outq(client, conn.client.get()));
    client.set_linger(conn.client.get(), 1, linger_s).must();
    p.observe("close", sockspec::outcome(client.close(conn.client)));
    p.observe("client_state_after_close", sockspec::connection_state(p.af(), conn.client_addr, conn.server_addr));
    p.observe("linger_s", linger_s);
  });
}
