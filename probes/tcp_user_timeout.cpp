// TCP_USER_TIMEOUT: unacknowledged data aborts the connection after that time, not after tcp_retries2.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"


int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_user_timeout",
      "The client sets TCP_USER_TIMEOUT to --user-timeout-ms, sends a line and blocks\n"
      "in recv() (with SO_RCVTIMEO --wait-ms so it cannot block forever). Run it with\n"
      "the server on --port and a fault dropping the server's ACKs: the client\n"
      "retransmits, and once the data has gone unacknowledged for the user timeout the\n"
      "kernel aborts the connection and recv() fails with ETIMEDOUT, long before\n"
      "tcp_retries2 retransmissions (about 15 minutes by default) would. With\n"
      "--user-timeout-ms 0 the option is not set and the connection is still trying\n"
      "when the recv() times out (EAGAIN).");
  int user_timeout = 500, wait_ms = 2000;
  const sockspec::PortOption listener_port(probe);
  probe.option("--user-timeout-ms", user_timeout, "TCP_USER_TIMEOUT (0: not set)")
      .range(0, 60000);
  probe.option("--wait-ms", wait_ms, "SO_RCVTIMEO of the client's recv()").range(1, 60000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = listener_port.listen(p);
    sockspec::Connection conn = sockspec::establish(p, listener);
    const int cfd = conn.client.get();
    if (user_timeout) client.setsockopt(cfd, IPPROTO_TCP, TCP_USER_TIMEOUT, user_timeout).must();
    sockspec::set_rcvtimeo_ms(client, cfd, wait_ms).must();
    client.send(cfd, "are you there?\n").must();
    std::string got;
    sockspec::SysResult r = client.recv(cfd, &got, 100);
    p.observe("client_recv", sockspec::ret_or_errno(r));
    p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
    p.observe("user_timeout_ms", user_timeout);
    p.observe("tcp_retries2", sockspec::sysctl_int("net.ipv4.tcp_retries2"));
    client.close(conn.client);
    server.close(conn.server);
  });
}
