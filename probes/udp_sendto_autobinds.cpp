// sendto() on an unbound UDP socket binds it to the wildcard address and an ephemeral port.
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_sendto_autobinds",
      "The client makes a UDP socket and, unless --bind-first binds it to loopback\n"
      "port 0, leaves it unbound: getsockname() shows the wildcard address and port 0.\n"
      "Its first sendto() to the server binds it: getsockname() now shows the wildcard\n"
      "address and a port from net.ipv4.ip_local_port_range, which is the source port\n"
      "the server's recvfrom() names.");
  bool bind_first = false;
  probe.flag("--bind-first", bind_first, "bind() the client before it sends (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::BoundUdp rx = sockspec::udp_bound(server, p.family());
    p.observe("port_range", sockspec::sysctl_text("net.ipv4.ip_local_port_range"));
    sockspec::UniqueFd tx = client.socket(sockspec::af(p.family()), SOCK_DGRAM).fd();
    if (bind_first) client.bind(tx.get(), sockspec::SockAddr::loopback(p.family())).must();
    sockspec::SockAddr before, after;
    client.getsockname(tx.get(), &before).must();
    p.observe("local_before_send", before.to_string());
    client.sendto(tx.get(), "who am I?", 0, rx.addr).must();
    client.getsockname(tx.get(), &after).must();
    p.observe("local_after_send", after.to_string());
    observe_endpoints(p, sockspec::SockAddr::loopback(p.family(), after.port()), rx.addr);

    std::string data;
    sockspec::SockAddr from;
    server.recvfrom(rx.fd.get(), &data, 100, 0, &from).must();
    p.observe("server_saw_from", from.to_string());
    client.close(tx);
    server.close(rx.fd);
  });
}
