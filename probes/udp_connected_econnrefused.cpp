// A connected UDP socket learns of an ICMP port unreachable (ECONNREFUSED); an unconnected one does not.
#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_connected_econnrefused",
      "The client sends a datagram to a loopback port nobody listens on (bound, then\n"
      "closed). The kernel answers with ICMP port unreachable; the probe waits until it\n"
      "has arrived (Icmp InDestUnreachs). With --mode connected the client connect()ed\n"
      "first: poll() reports POLLERR and the next call (a MSG_DONTWAIT recv()) fails with\n"
      "ECONNREFUSED, once; the send after it succeeds again. With --mode unconnected the\n"
      "client uses sendto(): the ICMP is on the wire all the same, but nothing is\n"
      "reported (poll() times out, recv() gives EAGAIN), unless --recverr sets\n"
      "IP_RECVERR / IPV6_RECVERR, which asks for errors on unconnected sockets too.");
  std::string mode = "connected";
  bool recverr = false;
  probe.option("--mode", mode, "connected or unconnected")
      .one_of({"connected", "unconnected"});
  probe.flag("--recverr", recverr, "set IP_RECVERR (IPV6_RECVERR) on the client first");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const sockspec::SockAddr dead = sockspec::closed_udp_port(server, p.family());
    sockspec::BoundUdp tx = sockspec::udp_client_to(p, dead);
    if (recverr) sockspec::set_recverr(client, tx.fd.get(), p.family()).must();
    const std::optional<long long> icmp0 = sockspec::record_counter(client, p.family(), "Icmp", "InDestUnreachs");
    if (mode == "connected") {
      client.connect(tx.fd.get(), dead).must();
      client.send(tx.fd.get(), "anyone there?").must();
    } else {
      client.sendto(tx.fd.get(), "anyone there?", 0, dead).must();
    }
    const nlohmann::json icmp_arrived = sockspec::wait_for_growth(p.family(), "Icmp", "InDestUnreachs", icmp0, 1, 5s);
    sockspec::record_counter(client, p.family(), "Icmp", "InDestUnreachs");
    p.observe("icmp_arrived", icmp_arrived);

    short revents = 0;
    client.poll(tx.fd.get(), POLLIN, 200, &revents);
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    std::string data;
    sockspec::SysResult r = client.recv(tx.fd.get(), &data, 100, MSG_DONTWAIT);
    p.observe("next_call", r.ok() ? std::to_string(r.ret) : sockspec::errno_name(r.err));
    sockspec::SysResult again = mode == "connected" ? client.send(tx.fd.get(), "again")
                                                    : client.sendto(tx.fd.get(), "again", 0, dead);
    p.observe("send_after_error", again.ok() ? std::to_string(again.ret) : sockspec::errno_name(again.err));
    client.close(tx.fd);
  });
}
