// Urgent data makes a socket poll POLLPRI (EPOLLPRI) until the urgent byte is read.
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("poll_pri_urgent_data",
      "The server registers its socket with epoll for EPOLLIN|EPOLLPRI. The client\n"
      "sends \"ab\" with MSG_OOB (b is the urgent byte). The server poll()s until\n"
      "readable, then reads its readiness: POLLIN|POLLPRI (tcp_poll() while urgent\n"
      "data is valid), and epoll_wait() the same. It reads the urgent byte with\n"
      "recv(MSG_OOB) and polls again: POLLPRI is gone, POLLIN stays for \"a\". With\n"
      "--no-oob the client sends \"ab\" as ordinary data.");
  bool no_oob = false;
  probe.flag("--no-oob", no_oob, "send without MSG_OOB (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();
    const short all = POLLIN | POLLPRI | POLLRDHUP;
    sockspec::UniqueFd ep = sockspec::epoll_watching(server, sfd, EPOLLIN | EPOLLPRI);

    p.client().send(conn.client.get(), "ab", no_oob ? 0 : MSG_OOB).must();
    short revents = 0;
    server.poll(sfd, POLLIN, 5000, &revents);
    p.observe("poll_after_send", sockspec::poll_now(server, sfd, all));
    p.observe("epoll_after_send", sockspec::epoll_now(server, ep.get()));
    if (no_oob) return;
    std::string urgent;
    p.observe("oob_read", sockspec::ret_or_errno(server.recv(sfd, &urgent, 1, MSG_OOB)));
    p.observe("oob_byte", urgent);
    p.observe("poll_after_oob_read", sockspec::poll_now(server, sfd, all));
  });
}
