// A full AF_UNIX listen backlog makes connect() wait (or fail with EAGAIN);
// tcp_connect_full_backlog_einprogress is the same scenario over TCP.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/unix_socket.h"
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
      "A SOCK_STREAM listener on an abstract name with --backlog, never accepting.\n"
      "Non-blocking clients connect until one gets EAGAIN (the queue holds\n"
      "backlog + 1). A client with SO_SNDTIMEO --sndtimeo-ms blocks in connect() and then\n"
      "gets EAGAIN. A blocking client waits in connect() (the probe sees it asleep there\n"
      "through /proc/self/task/<tid>/syscall) until the server accept()s one connection;\n"
      "then its connect() returns 0.");
  int backlog = 1, sndtimeo_ms = 100;
  probe.option("--backlog", backlog, "listen() backlog").range(0, 16);
  probe.option("--sndtimeo-ms", sndtimeo_ms, "SO_SNDTIMEO of the timed client")
      .range(1, 2000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    const auto addr = sockspec::UnixAddr::abstract(sockspec::unix_unique_name("backlog"));
    sockspec::UniqueFd lfd = sockspec::unix_listener(server, SOCK_STREAM, addr, backlog);

    // Non-blocking clients until the queue is full.
    std::vector<sockspec::UniqueFd> clients;
    nlohmann::json results = nlohmann::json::array();
    for (int i = 0; i < backlog + 3; ++i) {
      auto& c = p.actor("client-" + std::to_string(i + 1));
      clients.push_back(c.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK).fd());
      sockspec::SysResult r = sockspec::unix_connect(c, clients.back().get(), addr);
      results.push_back(sockspec::outcome(r));
      if (!r.ok()) break;
    }
    p.observe("nonblocking_connects", results);

    // A client with a send timeout.
    auto& timed = p.actor("timed");
    sockspec::UniqueFd tfd = timed.socket(AF_UNIX, SOCK_STREAM).fd();
    sockspec::set_sndtimeo_ms(timed, tfd.get(), sndtimeo_ms).must();
    p.observe("timed_connect", sockspec::outcome(sockspec::unix_connect(timed, tfd.get(), addr)));

    // A blocking client, released by accept().
    auto& waiter = p.actor("blocking");
    std::atomic<pid_t> tid{0};
    std::string blocking_result;
    std::thread t([&] {
      sockspec::UniqueFd fd = waiter.socket(AF_UNIX, SOCK_STREAM).fd();
      tid = static_cast<pid_t>(::syscall(SYS_gettid));
      blocking_result = sockspec::outcome(sockspec::unix_connect(waiter, fd.get(), addr));
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
