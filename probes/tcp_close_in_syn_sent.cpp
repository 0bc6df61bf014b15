// close() in SYN-SENT deletes the connection at once and sends nothing.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_close_in_syn_sent",
      "A non-blocking client connect()s to loopback port --port, whose SYNs the\n"
      "suite drops with a fault rule, so the connection stays in SYN-SENT. The\n"
      "client close()s it; the probe then asks sock_diag for the connection: in\n"
      "SYN-SENT close() deletes it at once (RFC 9293 3.10.4), without an RST,\n"
      "since the peer knows nothing of it. With --keep-open the client keeps the\n"
      "descriptor instead and waits until TCP_INFO counts a retransmitted SYN: the\n"
      "connection lives on in SYN-SENT.");
  int port = 7101;
  bool keep_open = false;
  probe.option("--port", port, "the port the client connects to").range(1, 65535);
  probe.flag("--keep-open", keep_open, "keep the descriptor instead of closing it (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    const sockspec::SockAddr to = p.loopback(static_cast<uint16_t>(port));
    sockspec::StartedConnect c = sockspec::start_connect(client, to);
    sockspec::observe_endpoints(p, c.local, to);
    p.observe("connect", sockspec::outcome(c.connect));
    p.observe("state_before_close", sockspec::tcp_state(c.fd.get()));
    if (keep_open) {
      const bool retransmitted = sockspec::wait_until([&] {
        const auto info = sockspec::read_tcp_info(c.fd.get());
        return info && info->tcpi_total_retrans >= 1;
      }, 5s);
      p.observe("syn_retransmitted", retransmitted);
      p.observe("state_after", sockspec::connection_state(p.af(), c.local, to));
      return;
    }
    client.close(c.fd);
    p.observe("state_after", sockspec::connection_state(p.af(), c.local, to));
  });
}
