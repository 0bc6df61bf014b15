// SEED-1: connection set-up takes three segments, SYN, SYN+ACK, ACK.
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_handshake",
      "A client connect()s to a listener on loopback; the server accept()s; the client\n"
      "closes first. The seed says set-up takes three segments, the SYN and the ACK\n"
      "of the server's reply combined in one; the capture shows the segments and\n"
      "their sequence and acknowledgement numbers (RFC 9293 section 3.5).");
  return probe.main(argc, argv, [](sockspec::Probe& p) {
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    p.client().close(conn.client);
    p.server().close(conn.server);
    p.server().close(listener.fd);
  });
}
