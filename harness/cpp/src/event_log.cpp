#include "sockspec/event_log.h"

#include <time.h>

#include <cstdio>

#include "sockspec/names.h"

namespace sockspec {

namespace {
int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string format_ms(int64_t ns) {
  char buf[32];
  snprintf(buf, sizeof buf, "%9.3f", static_cast<double>(ns) / 1e6);
  return buf;
}
}  // namespace

Clock Clock::now() { return Clock{read_clock(CLOCK_REALTIME), read_clock(CLOCK_MONOTONIC)}; }

nlohmann::json event_to_json(const Event& e) {
  nlohmann::json j = {
      {"t_real_ns", e.start.real_ns}, {"t_mono_ns", e.start.mono_ns},
      {"end_real_ns", e.end.real_ns}, {"end_mono_ns", e.end.mono_ns},
      {"side", e.side},               {"call", e.call},
      {"args", e.args},               {"text", e.text},
      {"ret", e.ret},
      {"errno", e.err ? nlohmann::json(e.err) : nlohmann::json(nullptr)},
      {"errno_name", e.err ? nlohmann::json(errno_name(e.err)) : nlohmann::json(nullptr)},
  };
  if (!e.result.is_null()) j["result"] = e.result;
  return j;
}

EventLog::EventLog(std::ostream& out, OutputFormat format)
    : out_(out), format_(format), origin_(Clock::now()) {}

void EventLog::line(const std::string& s) {
  out_ << s << '\n';
  if (!held_) out_.flush();
}

void EventLog::hold(bool held) {
  std::lock_guard lock(mu_);
  held_ = held;
  if (!held_) out_.flush();
}

std::string EventLog::relative(const Clock& c) const { return format_ms(c.mono_ns - origin_.mono_ns); }

void EventLog::header(const nlohmann::json& probe) {
  std::lock_guard lock(mu_);
  if (format_ == OutputFormat::kJsonLines) {
    line(nlohmann::json{{"probe", probe}}.dump());
    return;
  }
  const std::string family = probe.value("family_title", std::string());
  line(probe.value("name", std::string()) + (family.empty() ? "" : " (" + family + ")") + ": " +
       probe.value("summary", std::string()));
  std::string claims;
  for (const auto& c : probe.value("claims", nlohmann::json::array())) {
    claims += (claims.empty() ? "" : ", ") + c.get<std::string>();
  }
  if (!claims.empty()) line("checks " + claims);
  line("     t(ms)  side      call = result");
}

void EventLog::event(const Event& e) {
  std::lock_guard lock(mu_);
  if (format_ == OutputFormat::kJsonLines) {
    line(event_to_json(e).dump());
    return;
  }
  std::string s = relative(e.start) + "  " + e.side;
  s.resize(std::max<size_t>(s.size(), 20), ' ');
  s += "  " + e.text;
  if (e.call != "state") {
    s += " = " + std::to_string(e.ret);
    if (e.err) s += " " + errno_name(e.err);
  }
  if (!e.result.is_null()) s += "  -> " + e.result.dump();
  const int64_t blocked_ns = e.end.mono_ns - e.start.mono_ns;
  if (blocked_ns > 2000000) s += "  (blocked " + std::to_string(blocked_ns / 1000000) + " ms)";
  line(s);
}

void EventLog::note(const std::string& side, const std::string& text) {
  std::lock_guard lock(mu_);
  const Clock now = Clock::now();
  if (format_ == OutputFormat::kJsonLines) {
    line(nlohmann::json{{"t_real_ns", now.real_ns}, {"t_mono_ns", now.mono_ns},
                        {"side", side}, {"note", text}}
             .dump());
    return;
  }
  std::string s = relative(now) + "  " + side;
  s.resize(std::max<size_t>(s.size(), 20), ' ');
  line(s + "  # " + text);
}

void EventLog::observe(const std::string& key, nlohmann::json value) {
  std::lock_guard lock(mu_);
  observations_[key] = std::move(value);
}

void EventLog::error(const std::string& message, const std::string& call, int err) {
  std::lock_guard lock(mu_);
  if (format_ == OutputFormat::kJsonLines) {
    line(nlohmann::json{{"error", {{"message", message}, {"call", call}, {"errno", err},
                                   {"errno_name", err ? errno_name(err) : ""}}}}
             .dump());
  }
}

void EventLog::finish() {
  std::lock_guard lock(mu_);
  if (format_ == OutputFormat::kJsonLines) {
    line(nlohmann::json{{"observations", observations_}}.dump());
    return;
  }
  line("observations:");
  for (const auto& [key, value] : observations_.items()) line("  " + key + ": " + value.dump());
}

}  // namespace sockspec
