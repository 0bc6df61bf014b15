#include "sockspec/syn_fate.h"

#include <algorithm>

#include "sockspec/observed.h"
#include "sockspec/tcp_info.h"
#include "sockspec/wait.h"

namespace sockspec {

nlohmann::json first_signal(std::vector<Signal>& signals, std::chrono::milliseconds deadline) {
  // A stack that shows none of the signals ends the wait before it starts.
  if (std::none_of(signals.begin(), signals.end(), [](Signal& s) { return s.baseline && s.read(); })) {
    std::string names;
    for (const auto& s : signals) names += (names.empty() ? "" : ", ") + s.name;
    return unobservable("this stack shows none of the signals (" + names + ")");
  }
  nlohmann::json found = "undetermined";
  wait_until([&] {
    for (auto& s : signals) {
      const std::optional<long long> now = s.read();
      if (now && s.baseline && *now > *s.baseline) {
        ++*s.baseline;
        found = s.name;
        return true;
      }
    }
    return false;
  }, deadline);
  return found;
}

std::optional<long long> listener_queued(int listener) {
  const ListenerQueue q = read_listener_queue(listener);
  if (!q.valid) return std::nullopt;
  return q.queued;
}

}  // namespace sockspec
