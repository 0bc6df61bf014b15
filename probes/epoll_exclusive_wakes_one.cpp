// EPOLLEXCLUSIVE: a connection to a listener shared by several epoll instances wakes one waiter, not all.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "sockspec/readiness.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

// 'S' once the thread sleeps: after it announced its epoll_wait(), that is the only place it can.
static bool asleep(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'S';
}

int main(int argc, char** argv) {
  sockspec::Probe probe("epoll_exclusive_wakes_one",
      "A listener is registered, with EPOLLIN|EPOLLEXCLUSIVE, in --waiters epoll\n"
      "instances, each with a thread blocked in epoll_wait() (1 s timeout). Once\n"
      "every waiter sleeps (its /proc task state), one client connects. The\n"
      "listener's wake-up stops at the first exclusive waiter it wakes\n"
      "(ep_poll_callback()), so one epoll_wait() returns the event and the others\n"
      "time out with 0. No waiter accepts, so each woken one still sees the\n"
      "connection. With --no-exclusive every instance is woken and reports it.");
  int waiters = 4;
  bool no_exclusive = false;
  probe.option("--waiters", waiters, "epoll instances, one waiting thread each").range(2, 8);
  probe.flag("--no-exclusive", no_exclusive, "register without EPOLLEXCLUSIVE (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    std::vector<sockspec::UniqueFd> eps;
    std::vector<sockspec::Actor*> actors;
    for (int i = 0; i < waiters; ++i) {
      actors.push_back(&p.actor("waiter-" + std::to_string(i + 1)));
      eps.push_back(sockspec::epoll_watching(*actors[i], listener.fd.get(),
                                             EPOLLIN | (no_exclusive ? 0u : EPOLLEXCLUSIVE)));
    }
    std::vector<std::atomic<pid_t>> tids(waiters);
    std::vector<int> woke(waiters, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < waiters; ++i)
      threads.emplace_back([&, i] {
        tids[i] = static_cast<pid_t>(::syscall(SYS_gettid));
        uint32_t events = 0;
        woke[i] = sockspec::epoll_wait(*actors[i], eps[i].get(), 1000, &events).ret > 0;
      });
    p.observe("all_waiting", sockspec::wait_until([&] {
      for (auto& t : tids)
        if (t == 0 || !asleep(t)) return false;
      return true;
    }, 3s));
    sockspec::UniqueFd client = sockspec::connect_to(p.client(), listener.addr);
    for (auto& t : threads) t.join();
    int woken = 0;
    for (int w : woke) woken += w;
    p.observe("waiters", waiters);
    p.observe("woken", woken);
    p.observe("listener_readable_after", sockspec::poll_now(p.server(), listener.fd.get(), POLLIN));
  });
}
