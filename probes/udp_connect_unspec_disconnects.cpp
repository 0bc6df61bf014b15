// connect(AF_UNSPEC) dissolves a UDP socket's association: any destination, any source again.
#include "sockspec/calls.h"
#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_connect_unspec_disconnects",
      "The client's UDP socket, never bound, connect()s to the server's socket (which\n"
      "binds it to an ephemeral port) and send()s to it. Then it connect()s to an\n"
      "address of family AF_UNSPEC: getpeername() fails with ENOTCONN, send() without\n"
      "an address fails with EDESTADDRREQ, and the port the connect gave is released\n"
      "(getsockname() shows port 0). sendto() another peer works and binds a new port;\n"
      "that peer's answer is received (the probe waits until it is queued on the\n"
      "client's socket, SIOCINQ, or counted in Udp NoPorts). --stay-connected skips\n"
      "the AF_UNSPEC connect.");
  bool stay_connected = false;
  probe.flag("--stay-connected", stay_connected, "do not dissolve the association (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::BoundUdp peer = sockspec::udp_bound(server, p.family());
    sockspec::BoundUdp other = sockspec::udp_bound(server, p.family());
    p.observe("other_addr", other.addr.to_string());
    sockspec::UniqueFd tx = client.socket(sockspec::af(p.family()), SOCK_DGRAM).fd();
    client.connect(tx.get(), peer.addr).must();
    sockspec::SockAddr local;
    client.getsockname(tx.get(), &local).must();
    sockspec::observe_endpoints(p, local, peer.addr);
    client.send(tx.get(), "to my peer").must();
    std::string data;
    server.recv(peer.fd.get(), &data, 100).must();

    if (!stay_connected) {
      const sockaddr unspec{AF_UNSPEC, {}};
      p.observe("disconnect", sockspec::outcome(client.connect(tx.get(), sockspec::from_raw(&unspec, sizeof unspec))));
    }
    sockspec::SockAddr seen;
    p.observe("getpeername_after", sockspec::outcome(client.getpeername(tx.get(), &seen)));
    client.getsockname(tx.get(), &seen).must();
    p.observe("local_port_after", seen.port());
    p.observe("send_without_address", sockspec::ret_or_errno(client.send(tx.get(), "where to?")));
    const sockspec::SysResult sent = client.sendto(tx.get(), "to another", 0, other.addr);
    p.observe("sendto_other", sockspec::ret_or_errno(sent));
    if (sent.ok()) server.recv(other.fd.get(), &data, 100).must();
    sockspec::SockAddr local_now;
    client.getsockname(tx.get(), &local_now).must();
    p.observe("local_addr_now", local_now.to_string());

    const auto noports0 = sockspec::read_net_counter(p.family(), "Udp", "NoPorts");
    server.sendto(other.fd.get(), "from another", 0, local_now).must();
    // Either the client's socket holds it (SIOCINQ: Udp InDatagrams counts a
    // datagram only once it is read) or no socket matches it (NoPorts).
    sockspec::wait_until([&] {
      return sockspec::unread_bytes(tx.get()).value_or(0) > 0 ||
             sockspec::growth(noports0, sockspec::read_net_counter(p.family(), "Udp", "NoPorts")).value_or(0) >= 1;
    }, 5s);
    data.clear();
    sockspec::SysResult r = client.recv(tx.get(), &data, 100, MSG_DONTWAIT);
    p.observe("recv_from_other", r.ok() ? nlohmann::json(data) : nlohmann::json(sockspec::errno_name(r.err)));
    client.close(tx);
    server.close(peer.fd);
    server.close(other.fd);
  });
}
