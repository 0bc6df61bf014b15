// UDP_CORK: sends made while corked leave as one datagram when the cork is removed.
#include <netinet/udp.h>

#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_cork_one_datagram",
      "The client sets UDP_CORK on its socket, which is connect()ed to the server, and\n"
      "send()s three pieces; nothing leaves. Clearing UDP_CORK sends what was gathered\n"
      "as one datagram. The probe waits until what was sent is delivered (Ip\n"
      "InDelivers), then the server reads until its queue is empty: one read. --no-cork sends the same pieces uncorked: three\n"
      "datagrams, three reads.");
  bool no_cork = false;
  probe.flag("--no-cork", no_cork, "do not set UDP_CORK (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [rx, tx] = sockspec::udp_pair(p);
    client.connect(tx.fd.get(), rx.addr).must();
    if (!no_cork) client.setsockopt(tx.fd.get(), SOL_UDP, UDP_CORK, 1).must();
    const auto delivered0 = sockspec::read_net_counter(p.family(), "Ip", "InDelivers");
    for (const char* piece : {"one,", "two,", "three"}) client.send(tx.fd.get(), piece).must();
    if (!no_cork) {
      std::string none;
      p.observe("readable_while_corked", sockspec::ret_or_errno(server.recv(rx.fd.get(), &none, 100, MSG_DONTWAIT)));
      client.setsockopt(tx.fd.get(), SOL_UDP, UDP_CORK, 0).must();
    }
    p.observe("delivered", sockspec::wait_for_growth(p.family(), "Ip", "InDelivers", delivered0, no_cork ? 3 : 1, 5s));
    nlohmann::json reads = nlohmann::json::array();
    for (;;) {
      std::string data;
      if (!server.recv(rx.fd.get(), &data, 100, MSG_DONTWAIT).ok()) break;
      reads.push_back(data);
    }
    p.observe("reads", reads);
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
