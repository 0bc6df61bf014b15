// net.ipv4.tcp_tw_reuse lets an outgoing connection take over a TIME-WAIT 4-tuple, with timestamps.
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_tw_reuse_outgoing",
      "The suite leaves one local port (net.ipv4.ip_local_port_range); the server\n"
      "listens on --port, outside it. A client connects from that port and closes\n"
      "first: its end is in TIME-WAIT. Once the TIME-WAIT timer has run over a\n"
      "second (read through sock_diag: the kernel reuses a timewait socket only\n"
      "when its last timestamp is older than that), a new client connect()s to the\n"
      "same server without bind(), so the kernel searches the range for a port:\n"
      "the only one is the TIME-WAIT's. With net.ipv4.tcp_tw_reuse and TCP\n"
      "timestamps it takes the timewait socket over (tcp_twsk_unique());\n"
      "otherwise connect() fails with EADDRNOTAVAIL.");

  int port = 7103;
  probe.option("--port", port, "the listener's port, outside the one-port range").range(1, 65535);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.actor("client-2");
    p.observe("tcp_tw_reuse", sockspec::sysctl_int("net.ipv4.tcp_tw_reuse"));
    p.observe("tcp_timestamps", sockspec::sysctl_int("net.ipv4.tcp_timestamps"));
    sockspec::Listener listener = sockspec::listen_on_port(p, static_cast<uint16_t>(port), 4);
    const sockspec::Endpoints old = sockspec::leave_client_time_wait(p, listener);
    p.observe("old_client_end", sockspec::connection_state(p.af(), old.client_addr, old.server_addr));
    p.observe("time_wait_older_than_1s", sockspec::wait_until([&] {
      const auto tw = sockspec::find_connection(p.af(), old.client_addr, old.server_addr);
      return tw && tw->expires_ms < 58'500;
    }, 5s));

    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    p.observe("connect_same_peer", sockspec::outcome(client.connect(fd.get(), listener.addr)));
    sockspec::SockAddr local;
    client.getsockname(fd.get(), &local).must();
    p.observe("new_local_addr", local.to_string());
    p.observe("end_after_connect", sockspec::connection_state(p.af(), old.client_addr, old.server_addr));
  });
}
