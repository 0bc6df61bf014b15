// A UDP AF_INET6 socket reaches IPv4 peers through ::ffff:a.b.c.d, unless IPV6_V6ONLY.
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("ipv6_v4mapped_udp_connect",
      "The server is an IPv4 UDP socket bound to 127.0.0.1. The client makes an\n"
      "AF_INET6 UDP socket, sets IPV6_V6ONLY to --v6only, and connect()s it to the\n"
      "server's IPv4-mapped address [::ffff:127.0.0.1]:port. Without V6ONLY the\n"
      "connect succeeds, getsockname() gives a mapped address and the send() crosses as\n"
      "plain IPv4: the server's recvfrom() names 127.0.0.1. With V6ONLY the socket may\n"
      "not speak IPv4: connect() fails with ENETUNREACH, and a sendto() of a second\n"
      "AF_INET6 socket with the same option to the mapped address fails the same way.");
  int v6only = 0;
  probe.option("--v6only", v6only, "IPV6_V6ONLY on the client's sockets").range(0, 1);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::BoundUdp rx = sockspec::udp_bound(server, sockspec::Family::kInet);
    sockspec::SockAddr mapped;
    sockspec::SockAddr::parse("::ffff:127.0.0.1", rx.addr.port(), &mapped);
    p.observe("mapped_server_addr", mapped.to_string());

    sockspec::UniqueFd tx = client.socket(AF_INET6, SOCK_DGRAM).fd();
    client.setsockopt(tx.get(), IPPROTO_IPV6, IPV6_V6ONLY, v6only).must();
    const sockspec::SysResult connected = client.connect(tx.get(), mapped);
    p.observe("connect", sockspec::outcome(connected));
    sockspec::SockAddr local;
    client.getsockname(tx.get(), &local).must();
    p.observe("local_addr", local.to_string());
    if (connected.ok()) {
      sockspec::SockAddr seen_local;
      sockspec::SockAddr::parse("127.0.0.1", local.port(), &seen_local);
      sockspec::observe_endpoints(p, seen_local, rx.addr);
      client.send(tx.get(), "over IPv4").must();
      std::string data;
      sockspec::SockAddr from;
      server.recvfrom(rx.fd.get(), &data, 100, 0, &from).must();
      p.observe("server_saw_from", from.to_string());
    }

    sockspec::UniqueFd unconnected = client.socket(AF_INET6, SOCK_DGRAM).fd();
    client.setsockopt(unconnected.get(), IPPROTO_IPV6, IPV6_V6ONLY, v6only).must();
    const sockspec::SysResult sent = client.sendto(unconnected.get(), "unconnected", 0, mapped);
    p.observe("sendto_mapped", sockspec::ret_or_errno(sent));
    if (sent.ok()) {
      std::string data;
      server.recv(rx.fd.get(), &data, 100).must();
      p.observe("server_got_sendto", data);
    }
    client.close(unconnected);
    client.close(tx);
    server.close(rx.fd);
  });
}
