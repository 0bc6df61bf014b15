// SIOCOUTQ: the bytes a TCP socket has sent (or not yet) that the peer has not acknowledged.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_siocoutq_unacked_bytes",
      "The server listens on --port (so that a fault can drop its ACKs). The client\n"
      "sends --bytes bytes and the server reads them all. The probe waits until the\n"
      "client's SIOCOUTQ is 0 (the bytes acknowledged) or the client has retransmitted\n"
      "(TCP_INFO total_retrans: the ACK did not come), then asks SIOCOUTQ (sent or\n"
      "unsent bytes not acknowledged) and SIOCOUTQNSD (bytes not sent) on the client.");
  int port = 0, bytes = 100;
  probe.option("--port", port, "the server's port (0: any)").range(0, 65535);
  probe.option("--bytes", bytes, "bytes the client sends").range(1, 10000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    auto& server = p.server();
    sockspec::Connection conn = sockspec::connected_pair(p, sockspec::listen_on_port(p, static_cast<uint16_t>(port)));
    const int cfd = conn.client.get();
    p.observe("received", sockspec::deliver(p, conn, static_cast<size_t>(bytes)));
    sockspec::wait_until([&] {
      sockspec::TcpInfoFull i;
      return sockspec::unacked_bytes(cfd) == 0 || (sockspec::read_tcp_info_full(cfd, &i) && i.total_retrans > 0);
    }, 5s);
    p.observe("outq", sockspec::outq(client, cfd));
    p.observe("outq_not_sent", sockspec::outq_not_sent(client, cfd));
    p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
    p.observe("bytes", bytes);
    client.close(conn.client);
    server.close(conn.server);
  });
}
