// An unanswered SYN is retransmitted tcp_syn_retries times, then connect() fails with ETIMEDOUT.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_retransmit_backoff",
      "The client connect()s (non-blocking, then poll() for the outcome) to a closed\n"
      "port whose RST the test drops, so no answer ever comes. The kernel retransmits\n"
      "the SYN net.ipv4.tcp_syn_retries times and then gives up: poll() reports\n"
      "POLLERR and SO_ERROR is ETIMEDOUT. The intervals start at the initial RTO of\n"
      "1 s (RFC 6298 2.1); Linux keeps the first net.ipv4.tcp_syn_linear_timeouts\n"
      "retransmissions at that interval (linear, default 4) before doubling it\n"
      "(ip-sysctl.rst, net/ipv4/tcp_timer.c tcp_retransmit_timer()). With\n"
      "tcp_syn_linear_timeouts=0 the back-off is the classic 1, 2, 4 s.");
  int poll_ms = 10000;
  probe.option("--poll-ms", poll_ms, "how long to wait for the outcome")
      .range(0, 120000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd reserved = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(reserved.get(), p.loopback()).must();
    sockspec::SockAddr server_addr;
    server.getsockname(reserved.get(), &server_addr).must();
    p.observe("tcp_syn_retries", std::stoi(sockspec::read_sysctl("net.ipv4.tcp_syn_retries").value_or("-1")));
    p.observe("tcp_syn_linear_timeouts",
              std::stoi(sockspec::read_sysctl("net.ipv4.tcp_syn_linear_timeouts").value_or("-1")));

    sockspec::SockAddr bind_to = p.loopback();
    sockspec::tcp_setup::StartedConnect c = sockspec::tcp_setup::start_connect(client, server_addr, &bind_to);
    sockspec::observe_endpoints(p, c.local, server_addr);
    p.observe("connect", sockspec::tcp_setup::outcome(c.connect));
    short revents = 0;
    sockspec::SysResult pr = client.poll(c.fd.get(), POLLOUT, poll_ms, &revents);
    p.observe("poll_ret", pr.ret);
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    auto info = sockspec::read_tcp_info(c.fd.get());
    p.observe("state", info ? sockspec::tcp_state_name(info->tcpi_state) : "?");
    p.observe("total_retrans", info ? static_cast<long>(info->tcpi_total_retrans) : -1L);
    int so_error = -1;
    client.getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &so_error).must();
    p.observe("so_error", so_error == 0 ? "0" : sockspec::errno_name(so_error));
    client.close(c.fd);
    server.close(reserved);
  });
}
