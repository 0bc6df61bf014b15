// Sending to a broadcast address needs SO_BROADCAST (EACCES without it).
#include <arpa/inet.h>

#include "sockspec/scenario.h"
#include "sockspec/udp_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_broadcast_needs_so_broadcast",
      "IPv4 only. A receiver binds 0.0.0.0 (a socket bound to 127.0.0.1 would not get\n"
      "broadcasts). The sender binds 127.0.0.1 and sendto()s --to (default\n"
      "127.255.255.255, the loopback network's broadcast address, which keeps the\n"
      "traffic on lo; 255.255.255.255 works too once the sender has a source address\n"
      "on lo). Without SO_BROADCAST the kernel refuses with EACCES and nothing is sent;\n"
      "after setsockopt(SO_BROADCAST, 1) the same sendto() succeeds and the receiver\n"
      "reads the datagram. --broadcast-first sets the option before the first try.");
  std::string to = "127.255.255.255";
  bool broadcast_first = false;
  probe.option("--to", to, "the broadcast address (IPv4)").ipv4_address();
  probe.flag("--broadcast-first", broadcast_first, "set SO_BROADCAST before the first sendto()");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::SockAddr bcast;
    sockspec::SockAddr::parse(to, 0, &bcast);  // --to is checked to be IPv4
    sockspec::UniqueFd rx = server.socket(AF_INET, SOCK_DGRAM).fd();
    server.bind(rx.get(), sockspec::SockAddr::any(sockspec::Family::kInet)).must();
    sockspec::SockAddr rx_addr;
    server.getsockname(rx.get(), &rx_addr).must();
    sockspec::BoundUdp tx = sockspec::udp_bound(client, sockspec::Family::kInet);
    bcast = bcast.with_port(rx_addr.port());
    sockspec::observe_endpoints(p, tx.addr, rx_addr);
    p.observe("broadcast_addr", bcast.to_string());

    int value = -1;
    client.getsockopt(tx.fd.get(), SOL_SOCKET, SO_BROADCAST, &value).must();
    p.observe("so_broadcast_default", value);
    if (broadcast_first) client.setsockopt(tx.fd.get(), SOL_SOCKET, SO_BROADCAST, 1).must();
    sockspec::SysResult first = client.sendto(tx.fd.get(), "to everyone", 0, bcast);
    p.observe("first_sendto", first.ok() ? std::to_string(first.ret) : sockspec::errno_name(first.err));
    if (!broadcast_first) client.setsockopt(tx.fd.get(), SOL_SOCKET, SO_BROADCAST, 1).must();
    sockspec::SysResult second = client.sendto(tx.fd.get(), "to everyone, again", 0, bcast);
    p.observe("second_sendto", second.ok() ? std::to_string(second.ret) : sockspec::errno_name(second.err));

    nlohmann::json received = nlohmann::json::array();
    const int expected = first.ok() + second.ok();
    for (int i = 0; i < expected; ++i) {
      std::string data;
      sockspec::SockAddr from;
      short revents = 0;
      server.poll(rx.get(), POLLIN, 5000, &revents);
      if (!(revents & POLLIN)) break;
      server.recvfrom(rx.get(), &data, 100, 0, &from).must();
      received.push_back(data);
    }
    p.observe("received", received);
    server.close(rx);
    client.close(tx.fd);
  });
}
