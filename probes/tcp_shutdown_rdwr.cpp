// shutdown(SHUT_RDWR): FIN goes out, reads return 0, writes fail with EPIPE, the descriptor stays valid.
#include <fcntl.h>

#include "sockspec/tcp_close_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_shutdown_rdwr",
      "The client calls shutdown(--how): with rdwr (the default) its FIN goes out\n"
      "(tcp_shutdown(): SEND_SHUTDOWN), reads return 0 and writes fail with EPIPE,\n"
      "yet the descriptor is still valid (getsockopt, getpeername work) and the\n"
      "socket exists (FIN-WAIT-2) until close(); a second close() gives EBADF. With\n"
      "--how rd nothing crosses the wire and writes still work; with --how wr reads\n"
      "still wait for data (EAGAIN with MSG_DONTWAIT).");
  std::string how = "rdwr";
  probe.option("--how", how, "shutdown's how: rdwr, rd or wr")
      .one_of({"rdwr", "rd", "wr"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace tc = sockspec::tcp_close;
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    server.close(listener.fd);
    const int cfd = conn.client.get();

    client.shutdown(cfd, how == "rdwr" ? SHUT_RDWR : how == "rd" ? SHUT_RD : SHUT_WR).must();
    std::string got;
    if (how != "rd") p.observe("server_read", sockspec::ret_or_errno(server.recv(conn.server.get(), &got, 100)));
    if (how != "rd") tc::wait_fd_state(cfd, "FIN-WAIT-2", 3s);
    p.observe("client_state", tc::fd_state(cfd));
    p.observe("client_read", sockspec::ret_or_errno(client.recv(cfd, &got, 100, MSG_DONTWAIT)));
    p.observe("client_write", sockspec::ret_or_errno(client.send(cfd, "after shutdown\n", MSG_NOSIGNAL)));
    int type = 0;
    p.observe("getsockopt_so_type", sockspec::ret_or_errno(client.getsockopt(cfd, SOL_SOCKET, SO_TYPE, &type)));
    sockspec::SockAddr peer;
    p.observe("getpeername", sockspec::ret_or_errno(client.getpeername(cfd, &peer)));
    p.observe("client_end", tc::state_of(p.af(), conn.client_addr, conn.server_addr));
    const int raw = conn.client.release();
    p.observe("close", sockspec::ret_or_errno(client.close(raw)));
    p.observe("close_again", sockspec::ret_or_errno(client.close(raw)));
    server.close(conn.server);
  });
}
