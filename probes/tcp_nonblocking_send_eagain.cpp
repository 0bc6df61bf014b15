// A non-blocking send() into a full send buffer fails with EAGAIN; POLLOUT returns when the peer reads.
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_nonblocking_send_eagain",
      "The server's socket has a small SO_RCVBUF (set on the listener) and does not\n"
      "read; the client's has a small SO_SNDBUF and O_NONBLOCK. The client sends\n"
      "--chunk bytes at a time until send() fails: the peer's window fills, then the\n"
      "client's send buffer; the last successful send() is usually partial, the next\n"
      "fails with EAGAIN (it fills again while a poll(POLLOUT) within 1 s sees room or\n"
      "the peer's queue grows), and poll(POLLOUT, 0) reports the socket not writable. Then the\n"
      "server reads everything, and the client's poll(POLLOUT) returns. With --blocking\n"
      "the client instead makes one blocking send() of --total bytes, which waits for\n"
      "the reader instead of failing.");
  int sndbuf = 4096, rcvbuf = 4096, chunk = 16384, total = 262144;
  bool blocking = false;
  probe.option("--sndbuf", sndbuf, "client SO_SNDBUF").range(1024, 1 << 20);
  probe.option("--rcvbuf", rcvbuf, "server SO_RCVBUF").range(1024, 1 << 20);
  probe.option("--chunk", chunk, "bytes per non-blocking send()").range(1, 1 << 20);
  probe.option("--total", total, "bytes of the blocking send() (--blocking)").range(1, 1 << 24);
  probe.flag("--blocking", blocking, "one blocking send() instead (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_with_buffers(p, rcvbuf, sndbuf);
    const int cfd = conn.client.get();
    long accepted = 0;
    auto reader = [&](long want) {
      std::string got;
      while (static_cast<long>(got.size()) < want) {
        std::string part;
        if (server.recv(conn.server.get(), &part, 65536).must() == 0) break;
        got += part;
      }
      p.observe("server_read", got.size());
    };

    if (blocking) {
      std::thread t([&] {
        // The reader starts once the peer's window is closed and the sender is stuck.
        sockspec::wait_until([&] {
          sockspec::TcpInfoFull i;
          return sockspec::read_tcp_info_full(cfd, &i) && i.snd_wnd == 0;
        }, 5s);
        reader(total);
      });
      sockspec::SysResult r = client.send(cfd, std::string(total, 'x'));
      t.join();
      p.observe("blocking_send", sockspec::ret_or_errno(r));
      p.observe("total", total);
      return;
    }

    client.set_nonblocking(cfd).must();
    const std::string data(chunk, 'x');
    sockspec::SysResult r;
    long last_ok = -1;
    short revents = 0;
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 1000; ++i) {
        r = client.send(cfd, data);
        if (!r.ok()) break;
        accepted += r.ret;
        last_ok = r.ret;
      }
      // A stack that moves queued bytes towards the peer after send() returns
      // (gVisor's netstack) frees room again later: the buffer is full once a
      // poll() for POLLOUT with a deadline sees none and the peer's receive
      // queue did not grow meanwhile.
      const nlohmann::json peer_queue = sockspec::inq(server, conn.server.get());
      if (client.poll(cfd, POLLOUT, 1000, &revents).ret == 0 &&
          sockspec::inq(server, conn.server.get()) == peer_queue) break;
    }
    p.observe("send_error", sockspec::ret_or_errno(r));
    p.observe("accepted", accepted);
    p.observe("chunk", chunk);
    p.observe("last_successful_send", last_ok);
    client.poll(cfd, POLLOUT, 0, &revents);
    p.observe("pollout_when_full", sockspec::poll_events_name(revents));
    p.observe("client_outq_when_full", sockspec::outq(client, cfd));

    std::thread t([&] { reader(accepted); });
    client.poll(cfd, POLLOUT, 5000, &revents);
    p.observe("pollout_after_read", sockspec::poll_events_name(revents));
    t.join();
  });
}
