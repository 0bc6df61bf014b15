// SIOCOUTQNSD: the bytes written to a TCP socket that it has not sent yet.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_siocoutqnsd_unsent_bytes",
      "The client sets TCP_CORK and sends --bytes bytes, fewer than a segment, so they\n"
      "stay in its send queue: it asks SIOCOUTQNSD (bytes not sent) and SIOCOUTQ\n"
      "(bytes not acknowledged). It clears TCP_CORK, the server reads the bytes, and\n"
      "once they are acknowledged the client asks both again. With --no-cork the\n"
      "client sets TCP_NODELAY instead and the bytes leave inside send().");
  int bytes = 100;
  bool no_cork = false;
  probe.option("--bytes", bytes, "bytes the client sends").range(1, 10000);
  probe.flag("--no-cork", no_cork, "TCP_NODELAY instead of TCP_CORK (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    auto& server = p.server();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int cfd = conn.client.get();
    client.setsockopt(cfd, IPPROTO_TCP, no_cork ? TCP_NODELAY : TCP_CORK, 1).must();
    client.send(cfd, std::string(bytes, 'a')).must();
    p.observe("outq_not_sent_after_send", sockspec::outq_not_sent(client, cfd));
    p.observe("outq_after_send", sockspec::outq(client, cfd));
    if (!no_cork) client.setsockopt(cfd, IPPROTO_TCP, TCP_CORK, 0).must();
    std::string got;
    while (static_cast<int>(got.size()) < bytes)
      if (server.recv(conn.server.get(), &got, 1 << 16).must() == 0) break;
    sockspec::wait_all_acked(cfd, 5s);
    p.observe("outq_not_sent_at_end", sockspec::outq_not_sent(client, cfd));
    p.observe("outq_at_end", sockspec::outq(client, cfd));
    p.observe("received", got.size());
    client.close(conn.client);
    server.close(conn.server);
  });
}
