// bind() to an address no interface of the namespace has fails with EADDRNOTAVAIL,
// unless ip_nonlocal_bind allows it.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_eaddrnotavail",
      "A TCP socket binds to --address (192.0.2.1 for inet, 2001:db8::1 for inet6: the\n"
      "documentation ranges, RFC 5737 / RFC 3849), which no interface of the namespace\n"
      "has. Linux answers EADDRNOTAVAIL (ip(7); net/ipv4/af_inet.c\n"
      "inet_addr_valid_or_nonlocal()), unless net.ipv4.ip_nonlocal_bind /\n"
      "net.ipv6.ip_nonlocal_bind or IP_FREEBIND allow it. Nothing is ever sent to the\n"
      "address. For contrast the probe also binds 127.0.0.2 (inet; all of 127/8 is\n"
      "local on lo) and reports both sysctls.");
  std::string address;
  probe.option("--address", address, "the non-local address (default 192.0.2.1 / 2001:db8::1)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace sa = sockspec::socket_api;
    sockspec::Actor& server = p.server();
    if (address.empty()) address = p.family() == sockspec::Family::kInet ? "192.0.2.1" : "2001:db8::1";
    sockspec::SockAddr target;
    if (!sockspec::SockAddr::parse(address, 0, &target) || target.family() != p.af())
      throw std::runtime_error("--address " + address + " is not a " + sockspec::family_title(p.family()) + " address");
    sockspec::UniqueFd fd = server.socket(p.af(), SOCK_STREAM).fd();
    const sockspec::SysResult b = server.bind(fd.get(), target);
    sockspec::SockAddr bound;
    server.getsockname(fd.get(), &bound).must();
    p.observe("address", address);
    p.observe("bind", sockspec::outcome(b));
    p.observe("bound", bound.to_string());
    server.close(fd);

    if (p.family() == sockspec::Family::kInet) {
      sockspec::SockAddr other;
      sockspec::SockAddr::parse("127.0.0.2", 0, &other);
      sockspec::UniqueFd fd2 = server.socket(AF_INET, SOCK_STREAM).fd();
      p.observe("bind_127_0_0_2", sockspec::outcome(server.bind(fd2.get(), other)));
      server.close(fd2);
    }
    p.observe("ipv4_ip_nonlocal_bind", sockspec::read_sysctl("net.ipv4.ip_nonlocal_bind").value_or(""));
    p.observe("ipv6_ip_nonlocal_bind", sockspec::read_sysctl("net.ipv6.ip_nonlocal_bind").value_or(""));
  });
}
