// A zero-length send on a UDP socket is a datagram: it crosses the wire and recv() returns 0 for it.
#include "sockspec/scenario.h"
#include "sockspec/udp_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_zero_length_datagram",
      "The client sendto()s an empty datagram, then a short one. The server polls\n"
      "(POLLIN: an empty datagram is something to read), then recvfrom() returns 0 with\n"
      "the sender's address: unlike a stream, 0 is not end-of-file but a datagram of no\n"
      "bytes. The next recv() returns the second datagram. On the wire the empty one is a\n"
      "UDP datagram of length 0 (8 header bytes).");
  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::BoundUdp rx = sockspec::udp_bound(server, p.family());
    sockspec::BoundUdp tx = sockspec::udp_bound(client, p.family());
    sockspec::observe_endpoints(p, tx.addr, rx.addr);

    sockspec::SysResult s0 = client.sendto(tx.fd.get(), "", 0, rx.addr);
    p.observe("empty_send_returned", s0.ok() ? nlohmann::json(s0.ret) : nlohmann::json(sockspec::errno_name(s0.err)));
    client.sendto(tx.fd.get(), "after", 0, rx.addr).must();

    short revents = 0;
    server.poll(rx.fd.get(), POLLIN, 5000, &revents).must();
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    std::string data;
    sockspec::SockAddr from;
    sockspec::SysResult r0 = server.recvfrom(rx.fd.get(), &data, 4096, 0, &from);
    p.observe("empty_recv_returned", r0.ok() ? nlohmann::json(r0.ret) : nlohmann::json(sockspec::errno_name(r0.err)));
    p.observe("empty_recv_from", from.to_string());
    std::string next;
    sockspec::SysResult r1 = server.recv(rx.fd.get(), &next, 4096);
    p.observe("next_recv_returned", r1.ret);
    p.observe("next_recv_data", next);
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
