// MSG_MORE: a send() flagged with more to come is held and leaves with the next one.
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_msg_more_coalesces",
      "The client sets TCP_NODELAY (so Nagle holds nothing) and sends --first bytes\n"
      "with MSG_MORE: nothing leaves, TCP_INFO shows them unsent. It then sends\n"
      "--second bytes without the flag: both leave together as one segment. The\n"
      "server reads them all. With --no-more the first send() has no MSG_MORE and\n"
      "leaves at once.");
  int first = 10, second = 20;
  bool no_more = false;
  probe.option("--first", first, "bytes of the first send()").range(1, 1000);
  probe.option("--second", second, "bytes of the second send()").range(1, 1000);
  probe.flag("--no-more", no_more, "send the first part without MSG_MORE (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      client.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1).must();
    });
    const int cfd = conn.client.get();
    client.send(cfd, std::string(first, 'a'), no_more ? 0 : MSG_MORE).must();
    p.observe("tcp_info_after_first", sockspec::tcp_info_json(cfd));
    client.send(cfd, std::string(second, 'b')).must();
    std::string got;
    while (static_cast<int>(got.size()) < first + second)
      if (p.server().recv(conn.server.get(), &got, 4096).must() == 0) break;
    p.observe("received", got.size());
    p.observe("first", first);
    p.observe("second", second);
    client.close(conn.client);
    p.server().close(conn.server);
  });
}
