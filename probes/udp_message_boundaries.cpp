// UDP keeps message boundaries: one recv() is one datagram; a short buffer truncates it.
#include "sockspec/scenario.h"
#include "sockspec/udp_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_message_boundaries",
      "The client sends three datagrams before the server reads any (the probe waits\n"
      "until the kernel has delivered all three: Ip InDelivers). The server then reads:\n"
      "a recv() with a large buffer returns the first datagram only, never more; a\n"
      "recvmsg() with a --short-buffer gets the second datagram cut short, MSG_TRUNC in\n"
      "msg_flags, and the rest of it discarded; a recvmsg() with MSG_TRUNC in its flags\n"
      "returns the third datagram's real length although only --short-buffer bytes\n"
      "were copied. A last MSG_DONTWAIT recv() finds nothing left (EAGAIN).");
  int short_buffer = 8;
  probe.option("--short-buffer", short_buffer, "buffer size for the two truncating reads")
      .range(1, 64);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::BoundUdp rx = sockspec::udp_bound(server, p.family());
    sockspec::BoundUdp tx = sockspec::udp_bound(client, p.family());
    sockspec::observe_endpoints(p, tx.addr, rx.addr);

    const std::vector<std::string> sent = {"first datagram", std::string(100, 'b'), std::string(70, 'c')};
    const long long delivered0 = sockspec::snmp_counter(p.family(), "Ip", "InDelivers");
    nlohmann::json sent_lengths = nlohmann::json::array();
    for (const auto& d : sent) {
      client.sendto(tx.fd.get(), d, 0, rx.addr).must();
      sent_lengths.push_back(d.size());
    }
    p.observe("sent_lengths", sent_lengths);
    const bool all_delivered = sockspec::wait_until([&] {
      return sockspec::snmp_counter(p.family(), "Ip", "InDelivers") - delivered0 >= 3;
    }, 5s);
    p.observe("all_queued_before_reading", all_delivered);
    server.note("all three datagrams are in my receive queue");

    std::string first;
    sockspec::SysResult r1 = server.recv(rx.fd.get(), &first, 4096);
    sockspec::Message m2 = sockspec::recv_message(server, rx.fd.get(), short_buffer, 0);
    sockspec::Message m3 = sockspec::recv_message(server, rx.fd.get(), short_buffer, MSG_TRUNC);
    std::string none;
    sockspec::SysResult r4 = server.recv(rx.fd.get(), &none, 4096, MSG_DONTWAIT);

    p.observe("recv_returned", nlohmann::json::array({r1.ret, m2.r.ret, m3.r.ret}));
    p.observe("recv_data", nlohmann::json::array({first, m2.data, m3.data}));
    p.observe("recv_msg_flags", nlohmann::json::array({"0", sockspec::msg_flags_out(m2.msg_flags),
                                                       sockspec::msg_flags_out(m3.msg_flags)}));
    p.observe("recv_from", nlohmann::json::array({m2.from.to_string(), m3.from.to_string()}));
    p.observe("recv_after_all", r4.ok() ? std::to_string(r4.ret) : sockspec::errno_name(r4.err));
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
