// Waiting on a condition with a deadline: how probes synchronise on kernel
// events (a queue length, a socket state, a counter) instead of sleeping.
#pragma once

#include <chrono>
#include <thread>

namespace sockspec {

// Polls pred() until it returns true or the deadline passes; returns its last answer.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= until) return pred();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace sockspec
