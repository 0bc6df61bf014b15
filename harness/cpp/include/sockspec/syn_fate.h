// What the kernel did with one SYN, told by the first of several numbers that
// grows: the accept queue's length, a counter, the count of request sockets.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sockspec/json.h"

namespace sockspec {

// A number that grows when the kernel does one particular thing with a SYN;
// read() is nullopt where this stack cannot show it.
struct Signal {
  std::string name;  // what it means: "queued", "dropped", "cookie"
  std::function<std::optional<long long>()> read;
  std::optional<long long> baseline = 0;
};

// Waits until one signal is above its baseline; returns its name (and raises
// that baseline by one); at the deadline "undetermined", or at once unobservable when
// this stack can show none of the signals.
nlohmann::json first_signal(std::vector<Signal>& signals, std::chrono::milliseconds deadline);

// The listener's accept queue length as a Signal reads it: nullopt where it cannot be read.
std::optional<long long> listener_queued(int listener);

}  // namespace sockspec
