// A non-blocking listener with an empty queue: accept() fails with EAGAIN; poll() gives POLLIN once a connection is ready.
#include <atomic>
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_accept_nonblocking_eagain",
      "The listener is non-blocking. accept() with an empty accept queue fails at once\n"
      "with EAGAIN (EWOULDBLOCK), and poll() for POLLIN with a zero timeout reports\n"
      "nothing. A client connects; poll() now reports POLLIN (a completed connection\n"
      "is a readable event on a listener), accept() returns it, and the next\n"
      "accept() fails with EAGAIN again (accept(2), poll(2)). With --rcvtimeo-ms the\n"
      "listener is left blocking with SO_RCVTIMEO instead: accept() then waits that\n"
      "long and fails with EAGAIN too (socket(7) SO_RCVTIMEO).");
  int rcvtimeo_ms = 0;
  probe.option("--rcvtimeo-ms", rcvtimeo_ms, "blocking listener with this SO_RCVTIMEO instead")
      .range(0, 10000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    const int lfd = listener.fd.get();
    if (rcvtimeo_ms == 0) {
      server.set_nonblocking(lfd).must();
    } else {
      sockspec::set_rcvtimeo_ms(server, lfd, rcvtimeo_ms).must();
    }
    // A stack that ignores SO_RCVTIMEO on accept() (gVisor) would hold the run
    // until the probe's own timeout: a watchdog shuts the listener down once the
    // wait has outlived the timeout by far, and the probe reports that and stops.
    std::atomic<bool> returned{false};
    bool woken = false;
    std::thread watchdog([&] {
      if (rcvtimeo_ms == 0 || sockspec::wait_until([&] { return returned.load(); },
                                                   std::chrono::milliseconds(rcvtimeo_ms) + 3s)) return;
      woken = true;
      p.actor("watchdog").shutdown(lfd, SHUT_RDWR);
    });
    const sockspec::SysResult empty = server.accept(lfd);
    returned = true;
    watchdog.join();
    if (woken) {
      p.observe("accept_empty", "still waiting 3 s past SO_RCVTIMEO (ended by shutdown())");
      return;
    }
    p.observe("accept_empty", sockspec::outcome(empty));
    short revents = 0;
    p.observe("poll_empty", server.poll(lfd, POLLIN, 0, &revents).ret);

    auto& client = p.client();
    sockspec::UniqueFd cfd = sockspec::connect_to(client, listener.addr);
    sockspec::SockAddr local;
    client.getsockname(cfd.get(), &local).must();
    sockspec::observe_endpoints(p, local, listener.addr);
    revents = 0;
    sockspec::SysResult pr = server.poll(lfd, POLLIN, 5000, &revents);
    p.observe("poll_ready", pr.ret);
    p.observe("poll_ready_revents", sockspec::poll_events_name(revents));
    sockspec::SockAddr peer;
    sockspec::SysResult a = server.accept(lfd, &peer);
    p.observe("accept_ready", sockspec::outcome(a));
    p.observe("accept_peer", a.ok() ? peer.to_string() : "");
    sockspec::UniqueFd conn = a.ok() ? a.fd() : sockspec::UniqueFd();
    p.observe("accept_again", sockspec::outcome(server.accept(lfd)));
    if (conn) server.close(conn);
    client.close(cfd);
  });
}
