// The namespace's kernel counters (/proc/net/netstat, /proc/net/snmp,
// /proc/net/snmp6). A counter this stack does not have is nullopt, never 0:
// gVisor has few of Linux's, and "no such counter" is not "it did not grow".
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "sockspec/json.h"

#include "sockspec/actor.h"
#include "sockspec/addr.h"

namespace sockspec {

// A counter from /proc/net/netstat or /proc/net/snmp, e.g. ("TcpExt", "ListenOverflows").
std::optional<long long> read_net_counter(const std::string& group, const std::string& name);

// The same counter of the family's IP stack: for inet ("Udp", "RcvbufErrors")
// /proc/net/snmp; for inet6 the name /proc/net/snmp6 spells ("Udp6RcvbufErrors").
std::optional<long long> read_net_counter(Family family, const std::string& group, const std::string& name);

// read_net_counter(family, ...), recorded as a state event so it sits on the timeline.
std::optional<long long> record_counter(Actor& a, Family family, const std::string& group, const std::string& name);

// How much a counter grew between two reads; nullopt when either read found no counter.
std::optional<long long> growth(const std::optional<long long>& before, const std::optional<long long>& now);

// A counter's growth since `before` (read earlier from the same counter) as
// an observation; unobservable where this stack has no such counter.
nlohmann::json counter_change(const std::string& group, const std::string& name, const std::optional<long long>& before);
nlohmann::json counter_change(Family family, const std::string& group, const std::string& name,
                              const std::optional<long long>& before);
// Waits until a counter has grown by at least `by` since `before`; whether it
// did as an observation, unobservable where this stack has no such counter
// (a wait on a counter that cannot grow says nothing, not "false").
nlohmann::json wait_for_growth(const std::string& group, const std::string& name, const std::optional<long long>& before,
                               long long by, std::chrono::milliseconds deadline);
nlohmann::json wait_for_growth(Family family, const std::string& group, const std::string& name,
                               const std::optional<long long>& before, long long by, std::chrono::milliseconds deadline);

// The same, its read recorded as record_counter() does.
nlohmann::json recorded_change(Actor& a, Family family, const std::string& group, const std::string& name,
                               const std::optional<long long>& before);

}  // namespace sockspec
