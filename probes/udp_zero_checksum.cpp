// A UDP datagram may be sent without a checksum (0): IPv4 accepts it, IPv6 drops it unless the receiver opts in.
#include <netinet/udp.h>

#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_zero_checksum",
      "The client asks for datagrams without a checksum: SO_NO_CHECK (IPv4) or\n"
      "UDP_NO_CHECK6_TX (IPv6), unless --checksum. It sends one datagram to the server,\n"
      "then a second client socket (checksums on) sends the fence; from one CPU lo\n"
      "delivers in order. The server reads until the fence: IPv4 takes the unchecked\n"
      "datagram; IPv6 drops it and counts Udp6InCsumErrors, unless the server set\n"
      "UDP_NO_CHECK6_RX (--rx-accepts-zero). The capture shows the checksum field.");
  bool checksum = false;
  bool rx_accepts_zero = false;
  probe.flag("--checksum", checksum, "leave checksums on (the control)");
  probe.flag("--rx-accepts-zero", rx_accepts_zero, "IPv6: set UDP_NO_CHECK6_RX on the server");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const bool v4 = p.family() == sockspec::Family::kInet;
    auto [rx, tx] = sockspec::udp_pair(p);
    if (!v4 && rx_accepts_zero) server.setsockopt(rx.fd.get(), SOL_UDP, UDP_NO_CHECK6_RX, 1).must();
    if (!checksum) {
      p.observe("no_checksum_option", sockspec::outcome(v4 ? client.setsockopt(tx.fd.get(), SOL_SOCKET, SO_NO_CHECK, 1)
                                                       : client.setsockopt(tx.fd.get(), SOL_UDP, UDP_NO_CHECK6_TX, 1)));
    }
    sockspec::BoundUdp fence = sockspec::udp_bound(client, p.family());
    const auto errors0 = sockspec::record_counter(server, p.family(), "Udp", "InCsumErrors");
    sockspec::stay_on_this_cpu(client);
    client.sendto(tx.fd.get(), "unchecked", 0, rx.addr).must();
    client.sendto(fence.fd.get(), "fence", 0, rx.addr).must();

    nlohmann::json received = nlohmann::json::array();
    for (std::string data; data != "fence";) {
      data.clear();
      server.recv(rx.fd.get(), &data, 100).must();
      received.push_back(data);
    }
    p.observe("received", received);
    p.observe("checksum_errors", sockspec::recorded_change(server, p.family(), "Udp", "InCsumErrors", errors0));
    server.close(rx.fd);
    client.close(tx.fd);
    client.close(fence.fd);
  });
}
