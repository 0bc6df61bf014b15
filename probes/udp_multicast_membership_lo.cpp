// A UDP socket receives a multicast group's datagrams on lo only after IP_ADD_MEMBERSHIP.
#include <arpa/inet.h>
#include <net/if.h>

#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_multicast_membership_lo",
      "IPv4 only. The server binds a UDP socket to 0.0.0.0:0 and joins --group on lo\n"
      "(IP_ADD_MEMBERSHIP, ip_mreqn with lo's index) unless --no-join. The client binds\n"
      "127.0.0.1, picks lo for multicast (IP_MULTICAST_IF: the namespace has no\n"
      "multicast route), sets IP_MULTICAST_LOOP to --loop and sends one datagram to\n"
      "the group and the server's port, then one to 127.0.0.1 (the fence: from one CPU\n"
      "lo delivers in order, so once it is read the group's datagram has come or never\n"
      "will; the probe stays on one CPU for the sends).\n"
      "The server reads until the fence.");
  std::string group = "239.1.2.3";
  bool no_join = false;
  int loop = 1;
  probe.option("--group", group, "the multicast group (IPv4)").ipv4_address();
  probe.flag("--no-join", no_join, "the server does not join the group (the control)");
  probe.option("--loop", loop, "IP_MULTICAST_LOOP on the sender").range(0, 1);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const sockspec::Family v4 = sockspec::Family::kInet;
    ip_mreqn mreq{};
    inet_pton(AF_INET, group.c_str(), &mreq.imr_multiaddr);
    mreq.imr_ifindex = static_cast<int>(if_nametoindex("lo"));
    auto set_mreqn = [&](sockspec::Actor& a, int fd, int opt, const char* name) {
      return a.record("setsockopt", {{"fd", fd}, {"optname", name}, {"group", group}, {"ifindex", mreq.imr_ifindex}},
                      "setsockopt(" + std::to_string(fd) + ", IPPROTO_IP, " + name + ", {" + group + ", lo})",
                      [&] { return ::setsockopt(fd, IPPROTO_IP, opt, &mreq, sizeof mreq); });
    };
    sockspec::UniqueFd rx = server.socket(AF_INET, SOCK_DGRAM).fd();
    server.bind(rx.get(), sockspec::SockAddr::any(v4)).must();
    sockspec::SockAddr bound;
    server.getsockname(rx.get(), &bound).must();
    if (!no_join) p.observe("join", sockspec::outcome(set_mreqn(server, rx.get(), IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP")));

    sockspec::BoundUdp tx = sockspec::udp_bound(client, v4);
    sockspec::SockAddr to;
    sockspec::SockAddr::parse(group, bound.port(), &to);
    sockspec::observe_endpoints(p, tx.addr, to);
    set_mreqn(client, tx.fd.get(), IP_MULTICAST_IF, "IP_MULTICAST_IF").must();
    int value = -1;
    client.getsockopt(tx.fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, &value).must();
    p.observe("loop_default", value);
    client.setsockopt(tx.fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, loop).must();
    sockspec::stay_on_this_cpu(client);
    p.observe("send_to_group", sockspec::ret_or_errno(client.sendto(tx.fd.get(), "to the group", 0, to)));
    client.sendto(tx.fd.get(), "fence", 0, sockspec::SockAddr::loopback(v4, bound.port())).must();

    nlohmann::json received = nlohmann::json::array();
    for (std::string data; data != "fence";) {
      data.clear();
      server.recv(rx.get(), &data, 100).must();
      received.push_back(data);
    }
    p.observe("received", received);
    server.close(rx);
    client.close(tx.fd);
  });
}
