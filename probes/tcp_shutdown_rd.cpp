// shutdown(SHUT_RD): reads return 0; on Linux data that arrives later is still queued and read.
#include <poll.h>

#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_shutdown_rd",
      "The client calls shutdown(SHUT_RD). Nothing crosses the wire: TCP has no way\n"
      "to tell the peer (RFC 9293 has no half-close of the receive side) and\n"
      "tcp_shutdown() acts only on SEND_SHUTDOWN. A read with nothing queued returns\n"
      "0 at once (tcp_recvmsg() checks RCV_SHUTDOWN). The server then sends data: the\n"
      "client's kernel still acknowledges and queues it (SIOCINQ), and the next read\n"
      "returns it, because tcp_recvmsg() copies queued data before looking at\n"
      "RCV_SHUTDOWN. shutdown(2) leaves this to the implementation.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);

    client.shutdown(conn.client.get(), SHUT_RD).must();
    std::string got;
    p.observe("read_after_shutdown", sockspec::ret_or_errno(client.recv(conn.client.get(), &got, 100)));
    short revents = 0;
    client.poll(conn.client.get(), POLLIN | POLLRDHUP, 0, &revents);
    p.observe("poll_after_shutdown", sockspec::poll_events_name(revents));
    p.observe("client_state", tc::fd_state(conn.client.get()));

    const std::string late = "data sent after the peer's SHUT_RD\n";
    server.send(conn.server.get(), late).must();
    const bool queued = sockspec::wait_until(
        [&] { return tc::unread_bytes(conn.client.get()) >= static_cast<long>(late.size()); }, 2s);
    p.observe("late_data_queued", queued);
    p.observe("late_data_unread", tc::unread_bytes(conn.client.get()));
    got.clear();
    p.observe("read_late", sockspec::ret_or_errno(client.recv(conn.client.get(), &got, 4096, MSG_DONTWAIT)));
    p.observe("read_late_data", got);
    p.observe("read_again", sockspec::ret_or_errno(client.recv(conn.client.get(), &got, 4096, MSG_DONTWAIT)));
    p.observe("client_write", sockspec::ret_or_errno(client.send(conn.client.get(), "the write side still works\n")));
    client.close(conn.client);
    server.close(conn.server);
  });
}
