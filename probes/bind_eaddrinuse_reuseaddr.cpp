// A second bind() to a port in use fails with EADDRINUSE; what SO_REUSEADDR
// changes while the first socket is bound or listening (over a TIME-WAIT
// socket: bind_reuseaddr_over_time_wait).
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("bind_eaddrinuse_reuseaddr",
      "Three cases, each on a fresh loopback port: (1) a socket is bound, not listening;\n"
      "a second bind() to its port without options. (2) the same with SO_REUSEADDR on\n"
      "both, then both call listen(). (3) a listener with SO_REUSEADDR; a second socket\n"
      "with SO_REUSEADDR binds its port. Sources: socket(7) SO_REUSEADDR,\n"
      "net/ipv4/inet_connection_sock.c inet_csk_bind_conflict().");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& server = p.server();
    nlohmann::json cases = nlohmann::json::object();

    p.note("case 1: a bound socket, no options");
    sockspec::UniqueFd bound = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(bound.get(), p.loopback(0)).must();
    sockspec::SockAddr bound_addr;
    server.getsockname(bound.get(), &bound_addr).must();
    sockspec::UniqueFd second = server.socket(p.af(), SOCK_STREAM).fd();
    cases["bound_plain"] = {{"second_bind", sockspec::outcome(server.bind(second.get(), bound_addr))}};

    p.note("case 2: SO_REUSEADDR on both, neither listening yet");
    sockspec::UniqueFd first_reuse = server.socket(p.af(), SOCK_STREAM).fd();
    server.setsockopt(first_reuse.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
    server.bind(first_reuse.get(), p.loopback(0)).must();
    sockspec::SockAddr shared_addr;
    server.getsockname(first_reuse.get(), &shared_addr).must();
    sockspec::UniqueFd second_reuse = server.socket(p.af(), SOCK_STREAM).fd();
    server.setsockopt(second_reuse.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
    const sockspec::SysResult second_bind = server.bind(second_reuse.get(), shared_addr);
    const sockspec::SysResult first_listen = server.listen(first_reuse.get(), 4);
    const sockspec::SysResult second_listen = server.listen(second_reuse.get(), 4);
    cases["both_reuseaddr"] = {{"second_bind", sockspec::outcome(second_bind)},
                               {"first_listen", sockspec::outcome(first_listen)},
                               {"second_listen", sockspec::outcome(second_listen)}};

    p.note("case 3: a listener with SO_REUSEADDR");
    sockspec::Listener listener = sockspec::listen_on_port(p, 0, 4);
    sockspec::UniqueFd contender = server.socket(p.af(), SOCK_STREAM).fd();
    server.setsockopt(contender.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
    cases["listener_reuseaddr"] = {{"second_bind", sockspec::outcome(server.bind(contender.get(), listener.addr))}};
    p.observe("cases", cases);
  });
}
