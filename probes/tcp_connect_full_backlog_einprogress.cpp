// A TCP connect() to a listener whose accept queue is full never fails with
// EAGAIN (unlike AF_UNIX): the SYN is dropped and the client keeps trying.
#include <atomic>
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/counters.h"
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_connect_full_backlog_einprogress",
      "A TCP listener on loopback with --backlog, never accepting (the scenario of\n"
      "unix_listen_backlog_blocks over TCP). Non-blocking clients connect one at a\n"
      "time; after each the probe waits until its SYN is queued (the listener's\n"
      "accept queue grows) or dropped (TcpExt ListenOverflows grows), and stops at the\n"
      "first dropped one, whose state it reads: connect() said EINPROGRESS and the\n"
      "client stays in SYN-SENT, retrying. A client with SO_SNDTIMEO --sndtimeo-ms\n"
      "then connects blocking: the timeout ends connect() with EINPROGRESS.");
  int backlog = 1, sndtimeo_ms = 100;
  probe.option("--backlog", backlog, "listen() backlog").range(0, 16);
  probe.option("--sndtimeo-ms", sndtimeo_ms, "SO_SNDTIMEO of the timed client")
      .range(1, 2000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Listener listener = sockspec::listen_on_loopback(p, backlog);
    p.observe("server_addr", listener.addr.to_string());
    const std::optional<long long> overflows0 = sockspec::read_net_counter("TcpExt", "ListenOverflows");
    const auto dropped = [&] {
      return sockspec::growth(overflows0, sockspec::read_net_counter("TcpExt", "ListenOverflows")).value_or(0) > 0;
    };

    // Non-blocking clients until one's SYN is dropped.
    std::vector<sockspec::UniqueFd> clients;
    nlohmann::json results = nlohmann::json::array();
    // Where neither signal can be read (gVisor), no wait could end early: the
    // clients connect at once and which one was dropped stays unknown.
    const bool readable = sockspec::read_listener_queue(listener.fd.get()).valid || overflows0.has_value();
    if (!readable)
      p.observe("overflowed_client_state",
                sockspec::unobservable("neither the accept queue nor ListenOverflows can be read on this stack"));
    for (int i = 0; i < backlog + 3; ++i) {
      auto& c = p.actor("client-" + std::to_string(i + 1));
      clients.push_back(c.socket(p.af(), SOCK_STREAM | SOCK_NONBLOCK).fd());
      results.push_back(sockspec::outcome(c.connect(clients.back().get(), listener.addr)));
      if (!readable) continue;
      sockspec::wait_until([&] {
        return sockspec::read_listener_queue(listener.fd.get()).queued > static_cast<uint32_t>(i) || dropped();
      }, 3s);
      if (dropped()) {
        sockspec::SockAddr local;
        c.getsockname(clients.back().get(), &local).must();
        p.observe("client_addr", local.to_string());
        p.observe("overflowed_client_state", sockspec::tcp_state(clients.back().get()));
        break;
      }
    }
    p.observe("nonblocking_connects", results);
    p.observe("listen_overflows", sockspec::counter_change("TcpExt", "ListenOverflows", overflows0));

    // A client with a send timeout.
    auto& timed = p.actor("timed");
    sockspec::UniqueFd tfd = timed.socket(p.af(), SOCK_STREAM).fd();
    sockspec::set_sndtimeo_ms(timed, tfd.get(), sndtimeo_ms).must();
    // A stack that does not end connect() on SO_SNDTIMEO (gVisor) would hold the
    // run until the probe's own timeout: a watchdog shuts the socket down once
    // the wait has outlived the timeout by far.
    std::atomic<bool> returned{false};
    bool woken = false;
    std::thread watchdog([&] {
      if (sockspec::wait_until([&] { return returned.load(); }, std::chrono::milliseconds(sndtimeo_ms) + 3s)) return;
      woken = true;
      p.actor("watchdog").shutdown(tfd.get(), SHUT_RDWR);
    });
    const sockspec::SysResult connect = timed.connect(tfd.get(), listener.addr);
    returned = true;
    watchdog.join();
    p.observe("timed_connect", woken ? nlohmann::json("still waiting 3 s past SO_SNDTIMEO (ended by shutdown())")
                                     : nlohmann::json(sockspec::outcome(connect)));
  });
}
