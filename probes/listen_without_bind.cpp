// listen() on a socket that was never bound binds it to the wildcard address
// and an ephemeral port, and connections to that port are accepted.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("listen_without_bind",
      "A TCP socket calls listen() without bind(). Linux binds it first, as connect()\n"
      "would, to the wildcard address (0.0.0.0 or ::) and a port from\n"
      "net.ipv4.ip_local_port_range (net/ipv4/af_inet.c inet_listen() ->\n"
      "inet_autobind()). The probe reads the address with getsockname(), reports the\n"
      "range, connects a client to loopback on that port and accepts it.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    const auto [low, high] = sockspec::socket_api::local_port_range();
    p.observe("port_range", {low, high});
    sockspec::UniqueFd listener = server.socket(p.af(), SOCK_STREAM).fd();
    sockspec::SockAddr before, after;
    server.getsockname(listener.get(), &before).must();
    server.listen(listener.get(), 4).must();
    server.getsockname(listener.get(), &after).must();
    p.observe("before_listen", before.to_string());
    p.observe("after_listen", {{"ip", after.ip()}, {"port", after.port()}});

    const sockspec::SockAddr target = p.loopback(after.port());
    sockspec::UniqueFd client = sockspec::connect_to(p.client(), target);
    sockspec::SockAddr local, peer;
    p.client().getsockname(client.get(), &local).must();
    sockspec::observe_endpoints(p, local, target);
    sockspec::UniqueFd accepted = server.accept(listener.get(), &peer).fd();
    p.observe("accepted_peer", peer.to_string());
    server.close(accepted);
    p.client().close(client);
    server.close(listener);
  });
}
