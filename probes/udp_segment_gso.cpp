// UDP_SEGMENT: one send() of a large buffer leaves as several datagrams of the segment size.
#include <netinet/udp.h>

#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_segment_gso",
      "The client sets UDP_SEGMENT to --segment bytes and sends one buffer of --bytes\n"
      "to the server: the kernel cuts it into datagrams of the segment size, the last\n"
      "one shorter. On lo, which takes GSO packets whole, the cut is made on receive:\n"
      "the capture shows one packet, the receiving stack queues the datagrams at once.\n"
      "The server poll()s until its socket is readable, then reads until the queue is\n"
      "empty (MSG_DONTWAIT): each read is one datagram. --segment 0 leaves the option\n"
      "off: one datagram of --bytes.");
  int segment = 1000;
  int bytes = 3500;
  probe.option("--segment", segment, "the UDP_SEGMENT size (0: option not set)").range(0, 8000);
  probe.option("--bytes", bytes, "the size of the one send()").range(1, 60000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [rx, tx] = sockspec::udp_pair(p);
    if (segment > 0) {
      p.observe("set_segment", sockspec::outcome(client.setsockopt(tx.fd.get(), SOL_UDP, UDP_SEGMENT, segment)));
    }
    p.observe("send", sockspec::ret_or_errno(client.sendto(tx.fd.get(), std::string(bytes, 'g'), 0, rx.addr)));
    short revents = 0;
    server.poll(rx.fd.get(), POLLIN, 5000, &revents);

    nlohmann::json reads = nlohmann::json::array();
    for (;;) {
      std::string data;
      sockspec::SysResult r = server.recv(rx.fd.get(), &data, 65536, MSG_DONTWAIT);
      if (!r.ok()) break;
      reads.push_back(r.ret);
    }
    p.observe("read_lengths", reads);
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
