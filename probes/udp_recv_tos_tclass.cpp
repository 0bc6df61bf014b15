// IP_TOS / IPV6_TCLASS mark a socket's datagrams; IP_RECVTOS / IPV6_RECVTCLASS show the mark received.
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_recv_tos_tclass",
      "The client sets IP_TOS (IPV6_TCLASS) to --tos on its UDP socket; the server\n"
      "sets IP_RECVTOS (IPV6_RECVTCLASS). The client sends one datagram: its IPv4 TOS\n"
      "byte (IPv6 traffic class) on the wire is --tos, and the server's recvmsg()\n"
      "returns an IP_TOS (IPV6_TCLASS) control message holding it. --no-recvtos leaves\n"
      "the receiver's option off: the datagram is marked all the same, no control\n"
      "message comes.");
  int tos = 0x28;
  bool no_recvtos = false;
  probe.option("--tos", tos, "the TOS byte / traffic class to send with").range(0, 255);
  probe.flag("--no-recvtos", no_recvtos, "do not set IP_RECVTOS / IPV6_RECVTCLASS on the server (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const bool v4 = p.family() == sockspec::Family::kInet;
    const int level = v4 ? SOL_IP : SOL_IPV6;
    auto [rx, tx] = sockspec::udp_pair(p);
    client.setsockopt(tx.fd.get(), level, v4 ? IP_TOS : IPV6_TCLASS, tos).must();
    int value = -1;
    client.getsockopt(tx.fd.get(), level, v4 ? IP_TOS : IPV6_TCLASS, &value).must();
    p.observe("sender_option_reads", value);
    if (!no_recvtos) server.setsockopt(rx.fd.get(), level, v4 ? IP_RECVTOS : IPV6_RECVTCLASS, 1).must();
    client.sendto(tx.fd.get(), "marked", 0, rx.addr).must();

    sockspec::Message m = sockspec::recv_message(server, rx.fd.get(), 100, 0);
    const char* key = v4 ? "IP_TOS" : "IPV6_TCLASS";
    p.observe("received_mark", m.ancillary.contains(key) ? m.ancillary[key] : nlohmann::json("none"));
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
