// The network namespace's sysctls, read (never written: the driver sets them
// before the probe starts; the one exception, the RTO floor, is rto_min.h's).
#pragma once

#include <optional>
#include <string>

#include "sockspec/json.h"

namespace sockspec {

// A sysctl of this namespace, e.g. "net.core.somaxconn"; nullopt when absent.
std::optional<std::string> read_sysctl(const std::string& name);

// A sysctl as an observation: its text (sysctl_text) or its number
// (sysctl_int), unobservable where this namespace has no such sysctl.
nlohmann::json sysctl_text(const std::string& name);
nlohmann::json sysctl_int(const std::string& name);

// net.ipv4.ip_local_port_range as the observation [low, high]; unobservable when unreadable.
nlohmann::json local_port_range();

}  // namespace sockspec
