// A UDP receive buffer that overflows drops datagrams; SO_RXQ_OVFL and Udp RcvbufErrors count them.
#include "sockspec/scenario.h"
#include "sockspec/udp_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_rcvbuf_overflow_drops",
      "The server sets SO_RCVBUF to --rcvbuf (0: leave the default) and SO_RXQ_OVFL, and\n"
      "does not read while the client sends --datagrams datagrams of --size bytes. The\n"
      "probe waits until the kernel has handled every one (Ip InDelivers), then the\n"
      "server reads what was queued (MSG_DONTWAIT until EAGAIN). The client sends one\n"
      "more datagram; its SO_RXQ_OVFL control message carries the socket's drop count\n"
      "(sk_drops) at the time it was queued. Udp RcvbufErrors (Udp6RcvbufErrors) counts\n"
      "the same drops. UDP is unreliable: the sender is told nothing.");
  int rcvbuf = 4096, datagrams = 20, size = 1000;
  probe.option("--rcvbuf", rcvbuf, "SO_RCVBUF for the server (the kernel doubles it); 0 = default")
      .range(0, 1 << 24);
  probe.option("--datagrams", datagrams, "datagrams sent before the server reads")
      .range(1, 500);
  probe.option("--size", size, "bytes per datagram").range(1, 1400);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd rxfd = server.socket(p.af(), SOCK_DGRAM).fd();
    if (rcvbuf > 0) server.setsockopt(rxfd.get(), SOL_SOCKET, SO_RCVBUF, rcvbuf).must();
    server.setsockopt(rxfd.get(), SOL_SOCKET, SO_RXQ_OVFL, 1).must();
    server.bind(rxfd.get(), p.loopback()).must();
    sockspec::SockAddr rx_addr;
    server.getsockname(rxfd.get(), &rx_addr).must();
    int effective = 0;
    server.getsockopt(rxfd.get(), SOL_SOCKET, SO_RCVBUF, &effective).must();
    p.observe("rcvbuf_effective", effective);
    sockspec::BoundUdp tx = sockspec::udp_bound(client, p.family());
    sockspec::observe_endpoints(p, tx.addr, rx_addr);

    const long long errors0 = sockspec::record_counter(server, p.family(), "Udp", "RcvbufErrors");
    const long long delivered0 = sockspec::snmp_counter(p.family(), "Ip", "InDelivers");
    int sent = 0;
    for (int i = 0; i < datagrams; ++i) sent += client.sendto(tx.fd.get(), std::string(size, 'a' + i % 26), 0, rx_addr).ok();
    p.observe("sent", sent);
    const bool handled = sockspec::wait_until([&] {
      return sockspec::snmp_counter(p.family(), "Ip", "InDelivers") - delivered0 >= sent;
    }, 5s);
    p.observe("all_handled_before_reading", handled);
    p.observe("rcvbuf_errors", sockspec::record_counter(server, p.family(), "Udp", "RcvbufErrors") - errors0);

    int queued = 0;
    for (;;) {
      sockspec::Message m = sockspec::recv_message(server, rxfd.get(), size + 100, MSG_DONTWAIT);
      if (!m.r.ok()) break;
      ++queued;
    }
    p.observe("received", queued);
    client.sendto(tx.fd.get(), "after the drain", 0, rx_addr).must();
    sockspec::Message last = sockspec::recv_message(server, rxfd.get(), 100, 0);
    p.observe("after_drain_data", last.data);
    p.observe("rxq_ovfl_reported", last.drops ? nlohmann::json(*last.drops) : nlohmann::json(nullptr));
    server.close(rxfd);
    client.close(tx.fd);
  });
}
