// Waiting on a condition with a deadline: how probes synchronise on kernel
// events (a queue length, a socket state, a counter) instead of sleeping.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

#include "sockspec/json.h"

#include "sockspec/observed.h"

namespace sockspec {

// The pause before the next poll of a wait that has lasted `waited`: 1/32 of
// it, from 200 µs up to 20 ms. A condition is still seen within about 3% of
// the time it took to hold (and within 20 ms), and a 10 s wait polls about
// 650 times instead of up to 50,000. Each poll (a sock_diag dump, a read of
// /proc/net/netstat) costs about a millisecond of a TCG guest's CPU: with
// 1/64 and 10 ms, qemu:7.2's runs longer than a second, mostly waiting, used
// 35 s of the suite's 130 s of guest CPU, and polling every 200 µs once
// burnt 9 s of CPU in a 10 s wait.
inline std::chrono::microseconds poll_pause(std::chrono::steady_clock::duration waited) {
  using std::chrono::microseconds;
  return std::clamp(std::chrono::duration_cast<microseconds>(waited) / 32, microseconds(200), microseconds(20000));
}

// Polls pred() until it returns true or the deadline passes; returns its last answer.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds deadline) {
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + deadline;
  for (;;) {
    if (pred()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return pred();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(poll_pause(now - start), until - now));
  }
}

// For a wait_observed() check: whether the observation `seen` satisfies
// pred, or `seen` itself where it is unobservable.
template <class Pred>
nlohmann::json holds(const nlohmann::json& seen, Pred&& pred) {
  return is_unobservable(seen) ? seen : nlohmann::json(static_cast<bool>(pred(seen)));
}

// The same for a condition read from something a stack may not show:
// check() returns true, false, or an unobservable() value, which ends the
// wait at once (waiting on what cannot be seen would only run to the
// deadline). Returns the last answer: true, false, or the unobservable.
template <class Check>
nlohmann::json wait_observed(Check&& check, std::chrono::milliseconds deadline) {
  nlohmann::json last;
  wait_until([&] {
    last = check();
    return last != false;
  }, deadline);
  return last;
}

}  // namespace sockspec
