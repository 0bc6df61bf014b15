// TCP_INFO's tcpi_rtt: 0 on a new socket, a measured round trip once the handshake is done.
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_info_rtt_after_handshake",
      "The client makes a TCP socket and reads TCP_INFO (no round trip measured yet),\n"
      "connect()s to a listener and reads it again: the SYN to SYN+ACK round trip is\n"
      "its first sample. The server reads TCP_INFO on the socket accept() returned (its\n"
      "SYN+ACK to ACK round trip). With --closed-port the listener is closed before\n"
      "connect(), which is refused: no handshake, no sample.");
  bool closed_port = false;
  probe.flag("--closed-port", closed_port, "connect to a port nobody listens on (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    if (closed_port) p.server().close(listener.fd);
    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    p.observe("client_before_connect", sockspec::tcp_congestion_json(fd.get()));
    p.observe("connect", sockspec::outcome(client.connect(fd.get(), listener.addr)));
    p.observe("client_after_connect", sockspec::tcp_congestion_json(fd.get()));
    if (!closed_port) {
      sockspec::SockAddr local;
      client.getsockname(fd.get(), &local).must();
      sockspec::observe_endpoints(p, local, listener.addr);
      sockspec::UniqueFd accepted = p.server().accept(listener.fd.get()).fd();
      p.observe("server_after_accept", sockspec::tcp_congestion_json(accepted.get()));
      p.server().close(accepted);
      p.server().close(listener.fd);
    }
    client.close(fd);
  });
}
