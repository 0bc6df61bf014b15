#include "sockspec/counters.h"

#include <fstream>
#include <sstream>

#include "sockspec/observed.h"
#include "sockspec/wait.h"

namespace sockspec {

std::optional<long long> read_net_counter(const std::string& group, const std::string& name) {
  // Both files hold pairs of lines: "Group: name name ..." then "Group: value value ...".
  for (const char* path : {"/proc/net/netstat", "/proc/net/snmp"}) {
    std::ifstream in(path);
    std::string names, values;
    while (std::getline(in, names) && std::getline(in, values)) {
      std::istringstream n(names), v(values);
      std::string n_tok, v_tok;
      n >> n_tok;
      v >> v_tok;
      if (n_tok != group + ":") continue;
      while (n >> n_tok && v >> v_tok) {
        if (n_tok == name) return std::stoll(v_tok);
      }
    }
  }
  return std::nullopt;
}

std::optional<long long> read_net_counter(Family family, const std::string& group, const std::string& name) {
  if (family == Family::kInet) return read_net_counter(group, name);
  // /proc/net/snmp6: one "Name value" pair a line.
  std::ifstream in("/proc/net/snmp6");
  std::string key;
  long long value;
  const std::string want = group + "6" + name;
  while (in >> key >> value) {
    if (key == want) return value;
  }
  return std::nullopt;
}

std::optional<long long> record_counter(Actor& a, Family family, const std::string& group, const std::string& name) {
  const std::optional<long long> v = read_net_counter(family, group, name);
  a.record("counter", {{"group", group}, {"name", name}},
           std::string(family == Family::kInet ? "/proc/net/snmp " : "/proc/net/snmp6 ") + group +
               (family == Family::kInet ? " " : "6") + name,
           [&] { return 0; }, [&](long) { return nlohmann::json{{"value", observed_or(v, "no such counter")}}; });
  return v;
}

std::optional<long long> growth(const std::optional<long long>& before, const std::optional<long long>& now) {
  if (!before || !now) return std::nullopt;
  return *now - *before;
}

nlohmann::json counter_change(const std::string& group, const std::string& name, const std::optional<long long>& before) {
  return observed_or(growth(before, read_net_counter(group, name)), "this stack has no " + group + " " + name + " counter");
}

nlohmann::json counter_change(Family family, const std::string& group, const std::string& name,
                              const std::optional<long long>& before) {
  return observed_or(growth(before, read_net_counter(family, group, name)),
                     "this stack has no " + group + " " + name + " counter");
}

nlohmann::json wait_for_growth(Family family, const std::string& group, const std::string& name,
                               const std::optional<long long>& before, long long by, std::chrono::milliseconds deadline) {
  // A counter this stack lacks ends the wait at its first read: it cannot grow.
  return wait_observed([&] {
    return holds(counter_change(family, group, name, before), [&](const nlohmann::json& g) { return g >= by; });
  }, deadline);
}

nlohmann::json wait_for_growth(const std::string& group, const std::string& name, const std::optional<long long>& before,
                               long long by, std::chrono::milliseconds deadline) {
  return wait_for_growth(Family::kInet, group, name, before, by, deadline);
}

nlohmann::json recorded_change(Actor& a, Family family, const std::string& group, const std::string& name,
                               const std::optional<long long>& before) {
  return observed_or(growth(before, record_counter(a, family, group, name)),
                     "this stack has no " + group + " " + name + " counter");
}

}  // namespace sockspec
