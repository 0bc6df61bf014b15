// An AF_INET6 socket bound to :: accepts IPv4 clients as v4-mapped addresses, unless IPV6_V6ONLY.
#include "sockspec/scenario.h"

namespace {
std::string connect_outcome(const sockspec::SysResult& r) { return r.ok() ? "connected" : sockspec::errno_name(r.err); }
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("ipv6_dual_stack_v4mapped",
      "A TCP listener is made with socket(AF_INET6), IPV6_V6ONLY set per --v6only\n"
      "(default: left as the namespace's net.ipv6.bindv6only makes it), bound to [::]:0.\n"
      "An IPv4 client (socket(AF_INET), bound to 127.0.0.1) connects to 127.0.0.1 and\n"
      "the port. Dual stack: the IPv6 socket accepts it, and accept()/getpeername() give\n"
      "the IPv4-mapped address [::ffff:127.0.0.1]:port; on the wire it is plain IPv4.\n"
      "With IPV6_V6ONLY=1 the listener takes only IPv6: the IPv4 SYN finds no socket\n"
      "and is answered with RST (ECONNREFUSED). An AF_INET6 client connecting to\n"
      "[::ffff:127.0.0.1] speaks IPv4 too, and is refused the same way. An IPv6 client to\n"
      "[::1] connects either way. Changing IPV6_V6ONLY after bind() fails (EINVAL).");
  std::string v6only = "default";
  probe.option("--v6only", v6only, "IPV6_V6ONLY on the listener: default, 0 or 1")
      .one_of({"default", "0", "1"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    p.observe("bindv6only", sockspec::read_sysctl("net.ipv6.bindv6only").value_or("?"));
    sockspec::UniqueFd lfd = server.socket(AF_INET6, SOCK_STREAM).fd();
    if (v6only != "default") server.setsockopt(lfd.get(), IPPROTO_IPV6, IPV6_V6ONLY, std::stoi(v6only)).must();
    int value = -1;
    server.getsockopt(lfd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &value).must();
    p.observe("v6only", value);
    server.bind(lfd.get(), sockspec::SockAddr::any(sockspec::Family::kInet6)).must();
    server.listen(lfd.get(), 4).must();
    sockspec::SockAddr laddr;
    server.getsockname(lfd.get(), &laddr).must();
    p.observe("listen_addr", laddr.to_string());
    // The option is fixed once the socket is bound.
    sockspec::SysResult late = server.setsockopt(lfd.get(), IPPROTO_IPV6, IPV6_V6ONLY, !value);
    p.observe("v6only_change_after_bind", late.ok() ? "ok" : sockspec::errno_name(late.err));

    // The IPv4 client.
    const sockspec::SockAddr v4_server = sockspec::SockAddr::loopback(sockspec::Family::kInet, laddr.port());
    sockspec::UniqueFd c4 = client.socket(AF_INET, SOCK_STREAM).fd();
    client.bind(c4.get(), sockspec::SockAddr::loopback(sockspec::Family::kInet)).must();
    sockspec::SockAddr c4_addr;
    client.getsockname(c4.get(), &c4_addr).must();
    sockspec::observe_endpoints(p, c4_addr, v4_server);
    sockspec::SysResult r4 = client.connect(c4.get(), v4_server);
    p.observe("ipv4_connect", connect_outcome(r4));
    if (r4.ok()) {
      sockspec::SockAddr peer, local;
      sockspec::UniqueFd a = server.accept(lfd.get(), &peer).fd();
      server.getsockname(a.get(), &local).must();
      p.observe("ipv4_accepted_peer", peer.to_string());
      p.observe("ipv4_accepted_peer_family", sockspec::domain_name(peer.family()));
      p.observe("ipv4_accepted_local", local.to_string());
      client.send(c4.get(), "hello over IPv4").must();
      std::string got;
      server.recv(a.get(), &got, 100).must();
      p.observe("ipv4_data", got);
      server.close(a);
    }
    client.close(c4);

    // An AF_INET6 client to the IPv4-mapped address: IPv4 on the wire, from an IPv6 socket.
    sockspec::UniqueFd cm = client.socket(AF_INET6, SOCK_STREAM).fd();
    sockspec::SockAddr mapped;
    sockspec::SockAddr::parse("::ffff:127.0.0.1", laddr.port(), &mapped);
    sockspec::SysResult rm = client.connect(cm.get(), mapped);
    p.observe("mapped_client_connect", connect_outcome(rm));
    if (rm.ok()) {
      sockspec::SockAddr local;
      client.getsockname(cm.get(), &local).must();
      p.observe("mapped_client_local", local.to_string());
      sockspec::UniqueFd a = server.accept(lfd.get()).fd();
      server.close(a);
    }
    client.close(cm);

    // The IPv6 client.
    sockspec::UniqueFd c6 = client.socket(AF_INET6, SOCK_STREAM).fd();
    sockspec::SysResult r6 = client.connect(c6.get(), sockspec::SockAddr::loopback(sockspec::Family::kInet6, laddr.port()));
    p.observe("ipv6_connect", connect_outcome(r6));
    if (r6.ok()) {
      sockspec::SockAddr peer;
      sockspec::UniqueFd a = server.accept(lfd.get(), &peer).fd();
      p.observe("ipv6_accepted_peer_ip", peer.ip());
      server.close(a);
    }
    client.close(c6);
    server.close(lfd);
  });
}
