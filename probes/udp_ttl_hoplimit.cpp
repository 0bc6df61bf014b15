// IP_TTL / IPV6_UNICAST_HOPS set a socket's hop limit; IP_RECVTTL / IPV6_RECVHOPLIMIT report it on receipt.
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_ttl_hoplimit",
      "The server sets IP_RECVTTL (IPV6_RECVHOPLIMIT) on its UDP socket. The client\n"
      "reads its socket's IP_TTL (IPV6_UNICAST_HOPS), the namespace default, and with\n"
      "--ttl N sets it to N first. It sends one datagram: the TTL (hop limit) on the\n"
      "wire is the socket's, and the server's recvmsg() returns an IP_TTL\n"
      "(IPV6_HOPLIMIT) control message with the value the datagram arrived with\n"
      "(loopback forwards nothing, so nothing decrements it).");
  int ttl = 0;
  probe.option("--ttl", ttl, "the hop limit to set on the client (0: leave the default)").range(0, 255);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const bool v4 = p.family() == sockspec::Family::kInet;
    const int level = v4 ? SOL_IP : SOL_IPV6, hops = v4 ? IP_TTL : IPV6_UNICAST_HOPS;
    auto [rx, tx] = sockspec::udp_pair(p);
    server.setsockopt(rx.fd.get(), level, v4 ? IP_RECVTTL : IPV6_RECVHOPLIMIT, 1).must();
    int value = -1;
    client.getsockopt(tx.fd.get(), level, hops, &value).must();
    p.observe("default_hop_limit", value);
    if (ttl > 0) client.setsockopt(tx.fd.get(), level, hops, ttl).must();
    client.sendto(tx.fd.get(), "how far?", 0, rx.addr).must();

    sockspec::Message m = sockspec::recv_message(server, rx.fd.get(), 100, 0);
    const char* key = v4 ? "IP_TTL" : "IPV6_HOPLIMIT";
    p.observe("received_hop_limit", m.ancillary.contains(key) ? m.ancillary[key] : nlohmann::json("none"));
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
