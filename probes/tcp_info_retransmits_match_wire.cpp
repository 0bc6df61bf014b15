// TCP_INFO's retransmission counters against the segments the capture shows sent again.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_info_retransmits_match_wire",
      "The server listens on --port (so that a fault can drop its ACKs). The client\n"
      "sends --bytes bytes and the server reads them. The probe waits until the client\n"
      "has them acknowledged, its sender having retransmitted while ACKs were lost,\n"
      "then reads the client's TCP_INFO: total_retrans (segments sent again) and\n"
      "retransmits (timeouts in a row, 0 again once acknowledged).");
  const sockspec::DeliveryOptions delivery(probe);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = delivery.deliver(p);
    const int cfd = conn.client.get();
    p.observe("acked", sockspec::wait_all_acked(cfd, 10s));
    p.observe("client_tcp_info", sockspec::tcp_congestion_json(cfd));
    client.close(conn.client);
    p.server().close(conn.server);
  });
}
