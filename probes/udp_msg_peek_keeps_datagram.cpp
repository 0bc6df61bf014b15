// MSG_PEEK reads the next datagram without taking it from the queue.
#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_msg_peek_keeps_datagram",
      "The client sends two datagrams; the probe waits until both are delivered (Ip\n"
      "InDelivers). The server reads twice with MSG_PEEK (--no-peek: without), then\n"
      "twice more plainly. A peek returns the first datagram and leaves it queued, so\n"
      "both peeks and the first plain read return it, the second plain read the second.");
  bool no_peek = false;
  probe.flag("--no-peek", no_peek, "the first two reads without MSG_PEEK (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [rx, tx] = sockspec::udp_pair(p);
    const auto delivered0 = sockspec::read_net_counter(p.family(), "Ip", "InDelivers");
    client.sendto(tx.fd.get(), "first", 0, rx.addr).must();
    client.sendto(tx.fd.get(), "second", 0, rx.addr).must();
    p.observe("both_queued", sockspec::wait_for_growth(p.family(), "Ip", "InDelivers", delivered0, 2, 5s));

    nlohmann::json reads = nlohmann::json::array();
    for (int flags : {no_peek ? 0 : MSG_PEEK, no_peek ? 0 : MSG_PEEK, 0, 0}) {
      std::string data;
      sockspec::SysResult r = server.recv(rx.fd.get(), &data, 100, flags | MSG_DONTWAIT);
      reads.push_back(r.ok() ? nlohmann::json(data) : nlohmann::json(sockspec::errno_name(r.err)));
    }
    p.observe("reads", reads);
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
