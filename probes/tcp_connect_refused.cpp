// connect() to a port nobody listens on: the peer's RST+ACK becomes ECONNREFUSED.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_connect_refused",
      "The server reserves a loopback port by binding a socket to it, but does not\n"
      "listen(). The client, bound to its own port so that its address is known,\n"
      "connect()s to it. The kernel finds no listener and answers the SYN with a\n"
      "RST+ACK (RFC 9293 3.10.7.1: a segment to a CLOSED port draws a reset);\n"
      "connect() fails with ECONNREFUSED (connect(2)). With --listen the server does\n"
      "listen() and connect() succeeds instead.");
  bool listen = false;
  probe.flag("--listen", listen, "the server listens on the port (connect() then succeeds)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd reserved = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(reserved.get(), p.loopback()).must();
    if (listen) server.listen(reserved.get(), 1).must();
    sockspec::SockAddr server_addr;
    server.getsockname(reserved.get(), &server_addr).must();

    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    client.bind(fd.get(), p.loopback()).must();
    sockspec::SockAddr client_addr;
    client.getsockname(fd.get(), &client_addr).must();
    sockspec::observe_endpoints(p, client_addr, server_addr);

    sockspec::SysResult r = client.connect(fd.get(), server_addr);
    p.observe("connect", sockspec::tcp_setup::outcome(r));
    int so_error = -1;
    client.getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error).must();
    p.observe("so_error_after", so_error == 0 ? "0" : sockspec::errno_name(so_error));
    p.observe("client_state", sockspec::tcp_setup::tcp_state_of(fd.get()));
    client.close(fd);
    server.close(reserved);
  });
}
