// A listener is readable (EPOLLIN) exactly while a completed connection waits in its accept queue.
#include <netinet/tcp.h>

#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("epoll_listener_readable_queued",
      "A listener is registered with epoll for EPOLLIN. The probe reads its\n"
      "readiness before any client, then a client connect()s (blocking: the\n"
      "handshake is complete when it returns) and the server waits up to 500 ms in\n"
      "epoll_wait(); then it accept()s and reads the readiness again. With\n"
      "--defer-accept the listener has TCP_DEFER_ACCEPT: the handshake completes\n"
      "for the client, but the connection is not queued until data arrives, so\n"
      "the listener stays unreadable.");
  bool defer_accept = false;
  probe.flag("--defer-accept", defer_accept, "TCP_DEFER_ACCEPT on the listener (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4, [&](int fd) {
      if (defer_accept) server.setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 10).must();
    });
    const int lfd = listener.fd.get();
    sockspec::UniqueFd ep = sockspec::epoll_watching(server, lfd, EPOLLIN);
    p.observe("epoll_before_connect", sockspec::epoll_now(server, ep.get()));

    sockspec::UniqueFd client = sockspec::connect_to(p.client(), listener.addr);
    sockspec::SockAddr local;
    p.client().getsockname(client.get(), &local).must();
    sockspec::observe_endpoints(p, local, listener.addr);
    uint32_t events = 0;
    sockspec::epoll_wait(server, ep.get(), 500, &events);
    p.observe("epoll_after_connect", sockspec::epoll_events_name(events));
    if (defer_accept) return;

    sockspec::UniqueFd accepted = server.accept(lfd).fd();
    p.observe("epoll_after_accept", sockspec::epoll_now(server, ep.get()));
  });
}
