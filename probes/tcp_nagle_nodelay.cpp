// Nagle's algorithm: small writes are held while data is unacknowledged; TCP_NODELAY sends each at once.

#include "sockspec/rto_min.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_nagle_nodelay",
      "The client makes --writes back-to-back writes of --size bytes. The first goes\n"
      "out at once; with Nagle's algorithm (the default) the others wait while that\n"
      "segment is unacknowledged and leave together once it is acknowledged. To make\n"
      "'unacknowledged' certain, run it with the server on --port and a fault that drops\n"
      "the server's first pure ACK: the client's retransmission timer (at least\n"
      "200 ms) then holds the first segment outstanding. With --nodelay the client sets\n"
      "TCP_NODELAY and every write is a segment of its own. The probe reports TCP_INFO's\n"
      "count of data segments sent right after the last write.");
  int writes = 5, size = 10;
  bool nodelay = false;
  const sockspec::PortOption listener_port(probe);
  probe.option("--writes", writes, "small writes").range(2, 9);
  probe.option("--size", size, "bytes per write").range(1, 1000);
  probe.flag("--nodelay", nodelay, "set TCP_NODELAY on the client");
  sockspec::RtoMinFlag rto_min(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    p.observe("rto_min_via", rto_min.apply(p));
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = listener_port.listen(p);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (nodelay) client.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1).must();
    });
    const int cfd = conn.client.get();
    for (int i = 0; i < writes; ++i) client.send(cfd, std::string(size, static_cast<char>('a' + i))).must();
    sockspec::TcpInfoFull after;
    sockspec::read_tcp_info_full(cfd, &after);
    p.observe("data_segs_out_after_writes", after.data_segs_out);
    p.observe("unacked_after_writes", after.unacked);
    p.observe("notsent_after_writes", after.notsent_bytes);

    // Everything is delivered and acknowledged.
    const int total = writes * size;
    std::string got;
    while (static_cast<int>(got.size()) < total)
      if (server.recv(conn.server.get(), &got, 4096).must() == 0) break;
    const bool acked = sockspec::wait_until([&] {
      sockspec::TcpInfoFull i;
      return sockspec::read_tcp_info_full(cfd, &i) && i.unacked == 0 && i.notsent_bytes == 0;
    }, 5s);
    p.observe("all_acked", acked);
    p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
    p.observe("received", got.size());
    p.observe("writes", writes);
    p.observe("size", size);
    p.observe("nodelay", nodelay);
    client.close(conn.client);
    server.close(conn.server);
  });
}
