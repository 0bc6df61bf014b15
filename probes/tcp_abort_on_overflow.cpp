// tcp_abort_on_overflow=1: an ACK that finds the accept queue full is answered with RST.
#include "sockspec/counters.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_abort_on_overflow",
      "The test drops the first handshake ACK, so the first client (the victim) is\n"
      "connected on its side while the server holds only a request socket. Then\n"
      "--backlog+1 fillers connect and fill the accept queue. A late client's SYN now\n"
      "finds the queue full and is dropped before anything else is considered\n"
      "(net/ipv4/tcp_input.c tcp_conn_request(): ListenOverflows, no answer). Then the\n"
      "victim sends data: its ACK completes the handshake, but the child socket\n"
      "cannot be queued (net/ipv4/tcp_minisocks.c tcp_check_req()). With\n"
      "net.ipv4.tcp_abort_on_overflow=1 the server answers with RST and the victim's\n"
      "read gives ECONNRESET; with 0 (default) the ACK is dropped silently and the\n"
      "victim stays ESTABLISHED (tcp(7) tcp_abort_on_overflow).");
  int backlog = 1;
  probe.option("--backlog", backlog, "listen() backlog").range(1, 64);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    p.observe("tcp_abort_on_overflow",
              sockspec::sysctl_int("net.ipv4.tcp_abort_on_overflow"));
    const std::optional<long long> overflows0 = sockspec::read_net_counter("TcpExt", "ListenOverflows");
    sockspec::Listener listener = sockspec::listen_on_loopback(p, backlog);
    const uint16_t port = listener.addr.port();

    auto& victim = p.actor("victim");
    sockspec::UniqueFd vfd = sockspec::connect_to(victim, listener.addr);
    sockspec::SockAddr vaddr;
    victim.getsockname(vfd.get(), &vaddr).must();
    sockspec::observe_endpoints(p, vaddr, listener.addr);
    p.observe("victim_request_socket", sockspec::count_in_state(p.af(), "SYN-RECV", port));

    std::vector<sockspec::UniqueFd> fillers;
    for (int i = 0; i <= backlog; ++i) {
      fillers.push_back(sockspec::connect_to(p.actor("filler-" + std::to_string(i + 1)), listener.addr));
      sockspec::wait_listener_queued(listener.fd.get(), i + 1, 3s);
    }
    p.observe("accept_queue_full", server.listener_queue(listener.fd.get()).queued_json());

    auto& late = p.actor("late");
    sockspec::StartedConnect lc = sockspec::start_connect(late, listener.addr);
    p.observe("late_addr", lc.local.to_string());
    p.observe("late_syn_dropped", sockspec::wait_for_growth("TcpExt", "ListenOverflows", overflows0, 1, 3s));
    p.observe("late_state", sockspec::tcp_state(lc.fd.get()));

    victim.send(vfd.get(), "hello").must();
    p.observe("victim_ack_overflowed", sockspec::wait_for_growth("TcpExt", "ListenOverflows", overflows0, 2, 3s));
    p.observe("victim_state", sockspec::tcp_state(vfd.get()));
    std::string ignored;
    p.observe("victim_read", sockspec::outcome(victim.recv(vfd.get(), &ignored, 100, MSG_DONTWAIT)));
    p.observe("listen_overflows", sockspec::counter_change("TcpExt", "ListenOverflows", overflows0));
    p.observe("accept_queue_after", server.listener_queue(listener.fd.get()).queued_json());
  });
}
