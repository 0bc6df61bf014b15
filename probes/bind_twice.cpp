// bind() on a socket that is already bound fails with EINVAL; the first address stays.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_twice",
      "A TCP and a UDP socket each bind() to loopback port 0, then call bind() again,\n"
      "once with the very address they got and once with port 0. Linux refuses both\n"
      "with EINVAL (bind(2): \"The socket is already bound to an address\"; net/ipv4/\n"
      "af_inet.c __inet_bind() checks inet_num). getsockname() shows the first address\n"
      "kept; the TCP socket then listens and a client connects to that address.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace sa = sockspec::socket_api;
    sockspec::Actor& server = p.server();
    nlohmann::json result = nlohmann::json::object();
    sockspec::UniqueFd tcp;
    sockspec::SockAddr tcp_addr;
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      const std::string key = type == SOCK_STREAM ? "tcp" : "udp";
      sockspec::UniqueFd fd = server.socket(p.af(), type).fd();
      server.bind(fd.get(), p.loopback(0)).must();
      sockspec::SockAddr first, after;
      server.getsockname(fd.get(), &first).must();
      const sockspec::SysResult same = server.bind(fd.get(), first);
      const sockspec::SysResult zero = server.bind(fd.get(), p.loopback(0));
      server.getsockname(fd.get(), &after).must();
      result[key] = {{"rebind_same", sockspec::outcome(same)}, {"rebind_port_zero", sockspec::outcome(zero)},
                     {"address_kept", first.to_string() == after.to_string()}};
      if (type == SOCK_STREAM) {
        tcp = std::move(fd);
        tcp_addr = first;
      } else {
        server.close(fd);
      }
    }
    p.observe("rebinds", result);

    server.listen(tcp.get(), 4).must();
    sockspec::UniqueFd client = sockspec::connect_to(p.client(), tcp_addr);
    sockspec::SockAddr local;
    p.client().getsockname(client.get(), &local).must();
    sockspec::observe_endpoints(p, local, tcp_addr);
    sockspec::UniqueFd accepted = server.accept(tcp.get()).fd();
    server.close(accepted);
    p.client().close(client);
    server.close(tcp);
  });
}
