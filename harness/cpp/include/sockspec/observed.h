// An observation the probe cannot obtain on this stack is written as
// {"unobservable": "<reason>"}, never as a stand-in 0, "" or false, so a
// reader can tell "could not see" from a real 0 (harness/sockspec/observed.py).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "sockspec/json.h"

namespace sockspec {

// The JSON form of a value this stack does not show, and why.
inline nlohmann::json unobservable(std::string reason) { return {{"unobservable", std::move(reason)}}; }

// Whether an observation is unobservable() rather than a value.
inline bool is_unobservable(const nlohmann::json& v) { return v.is_object() && v.contains("unobservable"); }

// The value when there is one, else unobservable(reason).
template <class T>
nlohmann::json observed_or(const std::optional<T>& value, std::string reason) {
  return value ? nlohmann::json(*value) : unobservable(std::move(reason));
}

}  // namespace sockspec
