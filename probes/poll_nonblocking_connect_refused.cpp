// A refused non-blocking connect() polls POLLOUT|POLLERR|POLLHUP; SO_ERROR says why.
#include "sockspec/calls.h"
#include "sockspec/readiness.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("poll_nonblocking_connect_refused",
      "A socket is bound to a loopback port and never listens, so that port is\n"
      "closed. A non-blocking client connect()s to it (EINPROGRESS) and poll()s for\n"
      "POLLOUT, as an event loop waits for a connection: the peer's RST ends the\n"
      "attempt, and poll() reports it writable with POLLERR|POLLHUP; SO_ERROR then\n"
      "says ECONNREFUSED and is cleared. With --listen the port listens: the\n"
      "connection completes, poll() reports POLLOUT alone and SO_ERROR is 0.");
  bool listening = false;
  probe.flag("--listen", listening, "the port listens (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd port = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(port.get(), p.loopback()).must();
    if (listening) server.listen(port.get(), 4).must();
    sockspec::SockAddr to;
    server.getsockname(port.get(), &to).must();

    sockspec::StartedConnect c = sockspec::start_connect(client, to);
    sockspec::observe_endpoints(p, c.local, to);
    p.observe("connect", sockspec::outcome(c.connect));
    short revents = 0;
    client.poll(c.fd.get(), POLLOUT, 5000, &revents);
    p.observe("poll_outcome", sockspec::poll_events_name(revents));
    p.observe("so_error", sockspec::pending_error(client, c.fd.get()));
    p.observe("so_error_again", sockspec::pending_error(client, c.fd.get()));
  });
}
