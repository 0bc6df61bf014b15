// The probe's event log: every recorded syscall, note and observation, written
// as it happens in one of two forms — a narrative for people, JSON lines for the driver.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "sockspec/json.h"

namespace sockspec {

struct Clock {
  int64_t real_ns = 0;  // CLOCK_REALTIME: what pcap timestamps use, so events sit between packets
  int64_t mono_ns = 0;  // CLOCK_MONOTONIC: durations that survive clock steps
  static Clock now();
};

// One recorded syscall (or kernel state read).
struct Event {
  Clock start;
  Clock end;
  std::string side;    // "server", "client", "client-2", ...
  std::string call;    // "accept"
  nlohmann::json args = nlohmann::json::object();
  std::string text;    // "accept(3, NULL, NULL)"
  long ret = 0;
  int err = 0;         // errno, 0 when the call succeeded
  nlohmann::json result;  // what a state read found (e.g. the accept-queue length); null otherwise
};

enum class OutputFormat { kNarrative, kJsonLines };

class EventLog {
 public:
  EventLog(std::ostream& out, OutputFormat format);

  // The first line: which probe, with which arguments.
  void header(const nlohmann::json& probe);
  void event(const Event& e);
  // A sentence from the scenario ("all three clients are connected; none accepted yet").
  void note(const std::string& side, const std::string& text);
  void observe(const std::string& key, nlohmann::json value);
  // The environment stopped the probe (exit 1).
  void error(const std::string& message, const std::string& call, int err);
  // Writes the observations; the last line of the output.
  void finish();
  // While held, lines wait in the buffer: a write would wake the reader of the
  // output, which may then run between two calls that must follow each other.
  void hold(bool held);

  const nlohmann::json& observations() const { return observations_; }
  OutputFormat format() const { return format_; }

 private:
  void line(const std::string& s);
  std::string relative(const Clock& c) const;

  std::mutex mu_;
  std::ostream& out_;
  OutputFormat format_;
  Clock origin_;
  bool held_ = false;
  nlohmann::json observations_ = nlohmann::json::object();
};

// The JSON form of an event, as the driver reads it.
nlohmann::json event_to_json(const Event& e);

}  // namespace sockspec
