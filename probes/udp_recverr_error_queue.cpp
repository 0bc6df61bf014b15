// IP_RECVERR / IPV6_RECVERR: an ICMP error is queued with its origin, type and code (MSG_ERRQUEUE).
#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_recverr_error_queue",
      "The client sets IP_RECVERR (IPV6_RECVERR) on an unconnected UDP socket and\n"
      "sendto()s a loopback port nobody listens on (bound, then closed). The probe\n"
      "waits until the ICMP(v6) port unreachable has arrived (Icmp InDestUnreachs),\n"
      "then reads the error queue with recvmsg(MSG_ERRQUEUE): it returns the datagram\n"
      "that failed, the address it was sent to and a sock_extended_err (errno, origin,\n"
      "ICMP type and code, the offender's address). A second MSG_ERRQUEUE read finds\n"
      "the queue empty. --no-recverr leaves the option off.");
  bool no_recverr = false;
  probe.flag("--no-recverr", no_recverr, "do not set IP_RECVERR / IPV6_RECVERR (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const sockspec::SockAddr dead = sockspec::closed_udp_port(server, p.family());
    sockspec::BoundUdp tx = sockspec::udp_client_to(p, dead);
    if (!no_recverr) sockspec::set_recverr(client, tx.fd.get(), p.family()).must();
    const auto icmp0 = sockspec::record_counter(client, p.family(), "Icmp", "InDestUnreachs");
    client.sendto(tx.fd.get(), "nobody home", 0, dead).must();
    p.observe("icmp_arrived", sockspec::wait_for_growth(p.family(), "Icmp", "InDestUnreachs", icmp0, 1, 5s));
    sockspec::record_counter(client, p.family(), "Icmp", "InDestUnreachs");

    sockspec::Message err = sockspec::recv_message(client, tx.fd.get(), 100, MSG_ERRQUEUE | MSG_DONTWAIT);
    p.observe("errqueue_read", sockspec::ret_or_errno(err.r));
    if (err.r.ok()) {
      p.observe("errqueue_data", err.data);
      p.observe("errqueue_msg_flags", sockspec::msg_flags_out(err.msg_flags));
      p.observe("errqueue_name", err.from.to_string());
      const char* key = p.family() == sockspec::Family::kInet ? "IP_RECVERR" : "IPV6_RECVERR";
      p.observe("extended_err", err.ancillary.contains(key) ? err.ancillary[key] : nlohmann::json("none"));
    }
    sockspec::Message again = sockspec::recv_message(client, tx.fd.get(), 100, MSG_ERRQUEUE | MSG_DONTWAIT);
    p.observe("errqueue_second_read", sockspec::ret_or_errno(again.r));
    client.close(tx.fd);
  });
}
