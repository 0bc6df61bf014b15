// TCP_CORK holds partial segments until the socket is uncorked.
#include "sockspec/tcp_data_tcpinfo.h"
#include "sockspec/tcp_data_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_cork",
      "The client sets TCP_CORK and makes --writes writes of --size bytes. While corked\n"
      "only full-sized segments leave; what is left over waits. The probe reads TCP_INFO\n"
      "(data segments sent, bytes not sent) after the writes, then clears TCP_CORK: the\n"
      "held bytes leave as one segment. --mss sets TCP_MAXSEG before connect() so that\n"
      "a write bigger than a segment shows the full segments leaving. With --no-cork the\n"
      "client sets TCP_NODELAY instead and each write is a segment.");
  int writes = 4, size = 10, mss = 0;
  bool no_cork = false;
  probe.option("--writes", writes, "writes while corked").range(1, 9);
  probe.option("--size", size, "bytes per write").range(1, 100000);
  probe.option("--mss", mss, "TCP_MAXSEG on the client before connect() (0: leave it)")
      .range(0, 65535);
  probe.flag("--no-cork", no_cork, "TCP_NODELAY instead of TCP_CORK (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (mss) client.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, mss).must();
    });
    const int cfd = conn.client.get();
    client.setsockopt(cfd, IPPROTO_TCP, no_cork ? TCP_NODELAY : TCP_CORK, 1).must();
    for (int i = 0; i < writes; ++i) client.send(cfd, std::string(size, static_cast<char>('a' + i))).must();
    // Full segments, if any, leave at once; wait until they are acknowledged.
    sockspec::wait_until([&] {
      sockspec::TcpInfoFull i;
      return sockspec::read_tcp_info_full(cfd, &i) && i.unacked == 0;
    }, 5s);
    p.observe("tcp_info_corked", sockspec::tcp_info_json(cfd));
    if (!no_cork) client.setsockopt(cfd, IPPROTO_TCP, TCP_CORK, 0).must();
    const int total = writes * size;
    std::string got;
    while (static_cast<int>(got.size()) < total)
      if (server.recv(conn.server.get(), &got, 1 << 20).must() == 0) break;
    sockspec::wait_until([&] {
      sockspec::TcpInfoFull i;
      return sockspec::read_tcp_info_full(cfd, &i) && i.unacked == 0 && i.notsent_bytes == 0;
    }, 5s);
    p.observe("tcp_info_end", sockspec::tcp_info_json(cfd));
    p.observe("received", got.size());
    p.observe("writes", writes);
    p.observe("size", size);
    client.close(conn.client);
    server.close(conn.server);
  });
}
