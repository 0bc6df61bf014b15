// Non-blocking connect(): EINPROGRESS, EALREADY while the handshake is under way,
// POLLOUT and SO_ERROR when it ends, then EISCONN.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_nonblocking_connect",
      "The client's socket is non-blocking. connect() returns EINPROGRESS at once. A\n"
      "second connect() while the handshake is still under way (the test drops the\n"
      "first SYN+ACK so that it lasts until the SYN is retransmitted, 1 s) returns\n"
      "EALREADY. poll() reports POLLOUT when the handshake ends; getsockopt(SO_ERROR)\n"
      "then says how it ended: 0, or ECONNREFUSED when --closed makes the server port\n"
      "a closed one (a second connect() would report, and so consume, that error;\n"
      "--no-second-connect leaves it for SO_ERROR). Further connect() calls report the state: Linux answers the first\n"
      "call after completion with 0 and later ones with EISCONN\n"
      "(net/ipv4/af_inet.c __inet_stream_connect()).");
  bool closed = false;
  bool no_second = false;
  int poll_ms = 5000;
  probe.flag("--closed", closed, "connect to a port nobody listens on");
  probe.flag("--no-second-connect", no_second, "skip the connect() made while the first is in progress");
  probe.option("--poll-ms", poll_ms, "poll() timeout").range(0, 60000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd lfd = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(lfd.get(), p.loopback()).must();
    if (!closed) server.listen(lfd.get(), 4).must();
    sockspec::SockAddr server_addr;
    server.getsockname(lfd.get(), &server_addr).must();

    sockspec::SockAddr bind_to = p.loopback();
    sockspec::tcp_setup::StartedConnect c = sockspec::tcp_setup::start_connect(client, server_addr, &bind_to);
    sockspec::observe_endpoints(p, c.local, server_addr);
    p.observe("connect_1", sockspec::tcp_setup::outcome(c.connect));
    p.observe("state_after_connect_1", sockspec::tcp_setup::tcp_state_of(c.fd.get()));
    if (!no_second) p.observe("connect_2", sockspec::tcp_setup::outcome(client.connect(c.fd.get(), server_addr)));

    short revents = 0;
    sockspec::SysResult pr = client.poll(c.fd.get(), POLLOUT, poll_ms, &revents);
    p.observe("poll_ret", pr.ret);
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    int so_error = -1;
    client.getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &so_error).must();
    p.observe("so_error", so_error == 0 ? "0" : sockspec::errno_name(so_error));
    p.observe("state_after_poll", sockspec::tcp_setup::tcp_state_of(c.fd.get()));

    nlohmann::json later = nlohmann::json::array();
    for (int i = 0; i < 2; ++i) later.push_back(sockspec::tcp_setup::outcome(client.connect(c.fd.get(), server_addr)));
    p.observe("connect_after", later);
    client.close(c.fd);
    server.close(lfd);
  });
}
