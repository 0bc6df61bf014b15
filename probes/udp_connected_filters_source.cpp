// A connected UDP socket receives only from its peer.
#include "sockspec/scenario.h"
#include "sockspec/udp_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_connected_filters_source",
      "The server's UDP socket connect()s to the client's address (--receiver connected).\n"
      "A third socket, the stranger, sends to the server first; the probe waits until\n"
      "the kernel has handled that datagram (Ip InDelivers). Then the client sends. The\n"
      "server's first recvfrom() returns the client's datagram; a MSG_DONTWAIT recv()\n"
      "then finds nothing: the stranger's datagram matched no socket (Udp NoPorts) and\n"
      "was answered with ICMP port unreachable. With --receiver unconnected the server\n"
      "reads both, the stranger's first.");
  std::string receiver = "connected";
  probe.option("--receiver", receiver, "connected or unconnected")
      .one_of({"connected", "unconnected"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto& stranger = p.actor("stranger");
    sockspec::BoundUdp rx = sockspec::udp_bound(server, p.family());
    sockspec::BoundUdp peer = sockspec::udp_bound(client, p.family());
    sockspec::BoundUdp other = sockspec::udp_bound(stranger, p.family());
    sockspec::observe_endpoints(p, peer.addr, rx.addr);
    p.observe("stranger_addr", other.addr.to_string());
    if (receiver == "connected") server.connect(rx.fd.get(), peer.addr).must();

    const long long noports0 = sockspec::record_counter(server, p.family(), "Udp", "NoPorts");
    const long long delivered0 = sockspec::snmp_counter(p.family(), "Ip", "InDelivers");
    stranger.sendto(other.fd.get(), "from a stranger", 0, rx.addr).must();
    const bool handled = sockspec::wait_until([&] {
      return sockspec::snmp_counter(p.family(), "Ip", "InDelivers") > delivered0;
    }, 5s);
    p.observe("stranger_datagram_handled", handled);
    p.observe("no_ports", sockspec::record_counter(server, p.family(), "Udp", "NoPorts") - noports0);
    client.sendto(peer.fd.get(), "from the peer", 0, rx.addr).must();

    nlohmann::json received = nlohmann::json::array();
    std::string data;
    sockspec::SockAddr from;
    server.recvfrom(rx.fd.get(), &data, 100, 0, &from).must();
    received.push_back({{"data", data}, {"from", from.to_string()}});
    data.clear();
    sockspec::SysResult next = server.recvfrom(rx.fd.get(), &data, 100, MSG_DONTWAIT, &from);
    if (next.ok()) received.push_back({{"data", data}, {"from", from.to_string()}});
    p.observe("received", received);
    p.observe("second_read", next.ok() ? "datagram" : sockspec::errno_name(next.err));
    server.close(rx.fd);
  });
}
