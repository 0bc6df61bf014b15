// TCP_MAXSEG set before connect(): the SYN's MSS option carries it.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_maxseg_syn_mss",
      "The client sets TCP_MAXSEG to --mss before connect() and connects: its SYN\n"
      "advertises that MSS instead of the one loopback's MTU gives, while the\n"
      "server's SYN+ACK advertises loopback's. The probe reads TCP_MAXSEG on both ends\n"
      "after the handshake (the segment size each will send). With --mss 0 the client\n"
      "does not set it.");
  int mss = 1000;
  probe.option("--mss", mss, "TCP_MAXSEG on the client before connect() (0: leave it)").range(0, 65535);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (mss) client.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, mss).must();
    });
    p.observe("client_maxseg", sockspec::sockopt_int(client, conn.client.get(), IPPROTO_TCP, TCP_MAXSEG));
    p.observe("server_maxseg", sockspec::sockopt_int(p.server(), conn.server.get(), IPPROTO_TCP, TCP_MAXSEG));
    client.close(conn.client);
    p.server().close(conn.server);
    p.server().close(listener.fd);
  });
}
