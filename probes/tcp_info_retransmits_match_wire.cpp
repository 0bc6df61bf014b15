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
  int port = 0, bytes = 100;
  probe.option("--port", port, "the server's port (0: any)").range(0, 65535);
  probe.option("--bytes", bytes, "bytes the client sends").range(1, 10000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    auto& server = p.server();
    sockspec::Connection conn = sockspec::connected_pair(p, sockspec::listen_on_port(p, static_cast<uint16_t>(port)));
    const int cfd = conn.client.get();
    p.observe("received", sockspec::deliver(p, conn, static_cast<size_t>(bytes)));
    p.observe("acked", sockspec::wait_until([&] { return sockspec::unacked_bytes(cfd) == 0; }, 10s));
    p.observe("client_tcp_info", sockspec::tcp_congestion_json(cfd));
    client.close(conn.client);
    server.close(conn.server);
  });
}
