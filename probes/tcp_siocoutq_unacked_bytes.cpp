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
  const sockspec::DeliveryOptions delivery(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = delivery.deliver(p);
    const int cfd = conn.client.get();
    // Where SIOCOUTQ fails (gVisor) there is nothing to wait for.
    sockspec::wait_until([&] {
      const std::optional<long> unacked = sockspec::unacked_bytes(cfd);
      sockspec::TcpInfoFull i;
      return !unacked || *unacked == 0 || (sockspec::read_tcp_info_full(cfd, &i) && i.total_retrans > 0);
    }, 5s);
    p.observe("outq", sockspec::outq(client, cfd));
    p.observe("outq_not_sent", sockspec::outq_not_sent(client, cfd));
    p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
    p.observe("bytes", delivery.bytes);
    client.close(conn.client);
    p.server().close(conn.server);
  });
}
