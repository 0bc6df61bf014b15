// Two sockets connect() to each other at the same time: SYN, SYN, SYN+ACK, SYN+ACK, and both are connected.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_simultaneous_open",
      "Socket A is bound to --port-a, socket B to --port-b; neither listens. A\n"
      "connect()s to B and B to A (non-blocking). On loopback a SYN is delivered at\n"
      "once, so the test drops both first SYNs: both sockets wait in SYN-SENT, and\n"
      "their retransmission timers, armed microseconds apart for the same 1 s, fire\n"
      "together, so both SYNs are in flight before either arrives. Each side then\n"
      "receives a SYN in SYN-SENT, moves to SYN-RECEIVED and sends SYN+ACK; each\n"
      "SYN+ACK completes the other's open (RFC 9293 3.5, figure 8). Both poll() for\n"
      "POLLOUT, check SO_ERROR and exchange a line. Should the two timers fire apart\n"
      "(a rare scheduling gap), one SYN arrives alone; TCP_INFO shows it (the side\n"
      "that answered never retransmitted) and the probe tries again on the next ports.");
  int port_a = 40001, port_b = 40002;
  probe.option("--port-a", port_a, "A's port").range(1, 65535);
  probe.option("--port-b", port_b, "B's port").range(1, 65535);

  int attempts = 3;
  probe.option("--attempts", attempts, "tries (ports +2 each) until both SYNs crossed")
      .range(1, 10);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& a = p.actor("a");
    auto& b = p.actor("b");
    sockspec::UniqueFd fa, fb;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      const sockspec::SockAddr addr_a = p.loopback(port_a + 2 * attempt), addr_b = p.loopback(port_b + 2 * attempt);
      if (fa) a.close(fa);
      if (fb) b.close(fb);
      fa = a.socket(p.af(), SOCK_STREAM | SOCK_NONBLOCK).fd();
      fb = b.socket(p.af(), SOCK_STREAM | SOCK_NONBLOCK).fd();
      a.bind(fa.get(), addr_a).must();
      b.bind(fb.get(), addr_b).must();
      p.observe("client_addr", addr_a.to_string());
      p.observe("server_addr", addr_b.to_string());
      // Back to back, so that both retransmission timers are armed for the same moment.
      sockspec::SysResult ca = a.connect(fa.get(), addr_b);
      sockspec::SysResult cb = b.connect(fb.get(), addr_a);
      p.observe("connect_a", ts::outcome(ca));
      p.observe("connect_b", ts::outcome(cb));

      nlohmann::json sides = nlohmann::json::object();
      bool crossed = true;
      for (auto [actor, fd, name] : {std::tuple{&a, fa.get(), "a"}, std::tuple{&b, fb.get(), "b"}}) {
        short revents = 0;
        actor->poll(fd, POLLOUT, 5000, &revents);
        int err = -1;
        actor->getsockopt(fd, SOL_SOCKET, SO_ERROR, &err).must();
        auto info = sockspec::read_tcp_info(fd);
        // A side whose own SYN went out again before it saw the other's: the SYNs crossed.
        const long retrans = info ? static_cast<long>(info->tcpi_total_retrans) : -1L;
        crossed = crossed && retrans >= 1;
        sides[name] = {{"revents", sockspec::poll_events_name(revents)},
                       {"so_error", err == 0 ? "0" : sockspec::errno_name(err)},
                       {"state", ts::tcp_state_of(fd)},
                       {"syn_retransmitted", retrans >= 1}};
      }
      p.observe("sides", sides);
      p.observe("attempts", attempt + 1);
      p.observe("crossed", crossed);
      if (crossed) break;
      p.note("the retransmitted SYNs did not cross (timers fired apart); again on new ports");
    }
    a.send(fa.get(), "from A");
    b.send(fb.get(), "from B");
    std::string at_a, at_b;
    short rev = 0;
    b.poll(fb.get(), POLLIN, 5000, &rev);
    b.recv(fb.get(), &at_b, 100);
    a.poll(fa.get(), POLLIN, 5000, &rev);
    a.recv(fa.get(), &at_a, 100);
    p.observe("a_read", at_a);
    p.observe("b_read", at_b);
    a.close(fa);
    b.close(fb);
  });
}
