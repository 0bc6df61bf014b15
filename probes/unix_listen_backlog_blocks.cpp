// A full AF_UNIX listen backlog makes connect() wait (or fail with EAGAIN), unlike TCP.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/unix_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

namespace {

// Whether thread tid sleeps inside connect(): /proc/self/task/<tid>/syscall names
// the syscall only while the task is blocked in it ("running" otherwise).
bool blocked_in_connect(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
  std::string nr;
  return (in >> nr) && nr == std::to_string(SYS_connect);
}
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("unix_listen_backlog_blocks",
      "--kind unix: a SOCK_STREAM listener on an abstract name with --backlog, never\n"
      "accepting. Non-blocking clients connect until one gets EAGAIN (the queue holds\n"
      "backlog + 1). A client with SO_SNDTIMEO --sndtimeo-ms blocks in connect() and then\n"
      "gets EAGAIN. A blocking client waits in connect() (the probe sees it asleep there\n"
      "through /proc/self/task/<tid>/syscall) until the server accept()s one connection;\n"
      "then its connect() returns 0. --kind tcp, for comparison: a TCP listener on\n"
      "loopback; connect() never fails with EAGAIN: the SYN to a full queue is dropped\n"
      "(TcpExt ListenOverflows), connect() says EINPROGRESS and the client stays in\n"
      "SYN-SENT, retrying.");
  std::string kind = "unix";
  int backlog = 1, sndtimeo_ms = 100;
  probe.option("--kind", kind, "unix or tcp").one_of({"unix", "tcp"});
  probe.option("--backlog", backlog, "listen() backlog").range(0, 16);
  probe.option("--sndtimeo-ms", sndtimeo_ms, "SO_SNDTIMEO of the timed client")
      .range(1, 2000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    const bool is_unix = kind == "unix";
    const auto uaddr = sockspec::UnixAddr::abstract(sockspec::unix_unique_name("backlog"));
    sockspec::Listener tl;
    sockspec::UniqueFd lfd;
    if (is_unix) {
      lfd = sockspec::unix_listener(server, SOCK_STREAM, uaddr, backlog);
    } else {
      tl = sockspec::listen_on_loopback(p, backlog);
      lfd = std::move(tl.fd);
      p.observe("server_addr", tl.addr.to_string());
    }
    const auto overflows = [] { return sockspec::read_net_counter("TcpExt", "ListenOverflows").value_or(-1); };
    const int family = is_unix ? AF_UNIX : p.af();
    auto connect = [&](sockspec::Actor& a, int fd) {
      return is_unix ? sockspec::unix_connect(a, fd, uaddr) : a.connect(fd, tl.addr);
    };

    // Non-blocking clients until the queue is full.
    std::vector<sockspec::UniqueFd> clients;
    nlohmann::json results = nlohmann::json::array();
    const long long overflows0 = overflows();
    for (int i = 0; i < backlog + 3; ++i) {
      auto& c = p.actor("client-" + std::to_string(i + 1));
      clients.push_back(c.socket(family, SOCK_STREAM | SOCK_NONBLOCK).fd());
      sockspec::SysResult r = connect(c, clients.back().get());
      results.push_back(sockspec::outcome(r));
      if (!is_unix) {  // TCP: wait until this SYN is either queued or dropped
        sockspec::wait_until([&] {
          return sockspec::read_listener_queue(lfd.get()).queued > static_cast<uint32_t>(i) || overflows() > overflows0;
        }, 3s);
        if (overflows() > overflows0) {
          sockspec::SockAddr local;
          c.getsockname(clients.back().get(), &local).must();
          p.observe("client_addr", local.to_string());
          auto info = sockspec::read_tcp_info(clients.back().get());
          p.observe("overflowed_client_state", info ? sockspec::tcp_state_name(info->tcpi_state) : "?");
          break;
        }
      } else if (!r.ok()) {
        break;
      }
    }
    p.observe("nonblocking_connects", results);
    if (!is_unix) p.observe("listen_overflows", sockspec::counter_change("TcpExt", "ListenOverflows", overflows0));

    // A client with a send timeout.
    auto& timed = p.actor("timed");
    sockspec::UniqueFd tfd = timed.socket(family, SOCK_STREAM).fd();
    timeval tv{sndtimeo_ms / 1000, (sndtimeo_ms % 1000) * 1000};
    timed.record("setsockopt", {{"fd", tfd.get()}, {"optname", "SO_SNDTIMEO"}, {"ms", sndtimeo_ms}},
                 "setsockopt(" + std::to_string(tfd.get()) + ", SOL_SOCKET, SO_SNDTIMEO, " + std::to_string(sndtimeo_ms) + " ms)",
                 [&] { return ::setsockopt(tfd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv); }).must();
    p.observe("timed_connect", sockspec::outcome(connect(timed, tfd.get())));
    if (!is_unix) return;

    // A blocking client, released by accept().
    auto& waiter = p.actor("blocking");
    std::atomic<pid_t> tid{0};
    std::string blocking_result;
    std::thread t([&] {
      sockspec::UniqueFd fd = waiter.socket(AF_UNIX, SOCK_STREAM).fd();
      tid = static_cast<pid_t>(::syscall(SYS_gettid));
      blocking_result = sockspec::outcome(connect(waiter, fd.get()));
    });
    const bool blocked = sockspec::wait_until([&] { return tid != 0 && blocked_in_connect(tid); }, 5s);
    p.observe("blocking_connect_asleep_before_accept", blocked);
    server.note(blocked ? "the blocking client sleeps in connect()" : "the blocking client is not asleep in connect()");
    sockspec::UniqueFd accepted = server.accept(lfd.get()).fd();
    t.join();
    p.observe("blocking_connect", blocking_result);
    server.close(accepted);
  });
}
