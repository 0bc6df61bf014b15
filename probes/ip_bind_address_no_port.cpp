// IP_BIND_ADDRESS_NO_PORT: bind() to port 0 takes the address now and the port only at connect().
#include <netinet/in.h>

#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("ip_bind_address_no_port",
      "The client sets IP_BIND_ADDRESS_NO_PORT on a TCP socket and binds it to the\n"
      "loopback address with port 0: getsockname() shows the address and port 0, no\n"
      "port is reserved yet. It then connect()s to a listener: the kernel picks the\n"
      "port now, and getsockname() shows it. With --no-option the client does not set\n"
      "it, and bind() picks the port at once.");
  bool no_option = false;
  probe.flag("--no-option", no_option, "leave IP_BIND_ADDRESS_NO_PORT off (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    if (!no_option) client.setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1).must();
    p.observe("bind", sockspec::outcome(client.bind(fd.get(), p.loopback(0))));
    sockspec::SockAddr bound;
    client.getsockname(fd.get(), &bound).must();
    p.observe("port_after_bind", bound.port());
    p.observe("connect", sockspec::outcome(client.connect(fd.get(), listener.addr)));
    sockspec::SockAddr connected;
    client.getsockname(fd.get(), &connected).must();
    p.observe("port_after_connect", connected.port());
    sockspec::observe_endpoints(p, connected, listener.addr);
    sockspec::UniqueFd accepted = p.server().accept(listener.fd.get()).fd();
    p.server().close(accepted);
    client.close(fd);
    p.server().close(listener.fd);
  });
}
