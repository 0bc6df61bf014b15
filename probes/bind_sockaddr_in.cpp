// SEED-10: bind() with a sockaddr_in filled in by hand binds that address and
// port; a port stored without htons() binds the byte-swapped port.
#include <arpa/inet.h>

#include <cstring>

#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

namespace {

// The address as a C program writes it: sin_port = htons(port) or, the classic
// mistake, the host-order value itself; sin_addr = inet_addr(ip) (inet_pton for IPv6).
sockspec::SockAddr by_hand(sockspec::Family family, uint16_t port, bool htons_port) {
  const uint16_t stored = htons_port ? htons(port) : port;
  if (family == sockspec::Family::kInet) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = stored;
    sin.sin_addr.s_addr = inet_addr("127.0.0.1");
    return sockspec::socket_api::from_raw(&sin, sizeof sin);
  }
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = stored;
  inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
  return sockspec::socket_api::from_raw(&sin6, sizeof sin6);
}

}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_sockaddr_in",
      "The probe fills in a sockaddr_in (sockaddr_in6 for --family inet6) by hand, as the\n"
      "seed does: sin_family, sin_port = htons(--port), sin_addr = inet_addr(\"127.0.0.1\")\n"
      "(inet_pton(\"::1\")), binds a TCP socket to it and reads the address back with\n"
      "getsockname(). A second socket is bound with sin_port = --port without htons():\n"
      "on a little-endian machine the kernel reads those bytes as the byte-swapped port\n"
      "(8080 = 0x1f90 becomes 0x901f = 36895). The socket named by --listen-on listens\n"
      "and a client connects to port --port, so the capture shows which port was bound.");
  int port = 8080;
  std::string listen_on = "htons";
  probe.option("--port", port, "the port the program means to bind")
      .range(1, 65535);
  probe.option("--listen-on", listen_on, "which socket listens: htons or swapped")
      .one_of({"htons", "swapped"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    const uint16_t wanted = static_cast<uint16_t>(port);
    nlohmann::json bound = nlohmann::json::object();
    std::map<std::string, sockspec::UniqueFd> fds;
    for (const char* how : {"htons", "swapped"}) {
      const bool with_htons = std::string(how) == "htons";
      fds[how] = server.socket(p.af(), SOCK_STREAM).fd();
      sockspec::SysResult b = server.bind(fds[how].get(), by_hand(p.family(), wanted, with_htons));
      sockspec::SockAddr local;
      server.getsockname(fds[how].get(), &local).must();
      bound[how] = {{"bind", sockspec::outcome(b)}, {"ip", local.ip()}, {"port", local.port()}};
    }
    p.observe("port", port);
    p.observe("bound", bound);

    server.listen(fds[listen_on].get(), 4).must();
    const sockspec::SockAddr target = p.loopback(wanted);
    sockspec::UniqueFd client = p.client().socket(p.af(), SOCK_STREAM).fd();
    sockspec::SysResult c = p.client().connect(client.get(), target);
    p.observe("connect_to_port", sockspec::outcome(c));
    sockspec::SockAddr local;
    p.client().getsockname(client.get(), &local).must();
    // A refused connect() leaves the local address unset but the port chosen: the SYN came from loopback.
    sockspec::observe_endpoints(p, p.loopback(local.port()), target);
    if (c.ok()) {
      sockspec::SockAddr peer;
      sockspec::UniqueFd accepted = server.accept(fds[listen_on].get(), &peer).fd();
      p.observe("accepted_peer", peer.to_string());
      server.close(accepted);
    }
    p.client().close(client);
    for (auto& [how, fd] : fds) server.close(fd);
  });
}
