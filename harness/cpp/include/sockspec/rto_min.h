// The minimum retransmission timeout of this namespace's loopback connections,
// set before the scenario's sockets exist. net.ipv4.tcp_rto_min_us is there
// since Linux 6.x only; the locked rto_min attribute of the loopback routes
// (RTAX_RTO_MIN, what `ip route change ... rto_min 50ms` sets) is on every
// Linux, so a scenario that needs a known floor runs on older kernels too.
#pragma once

#include <chrono>

#include "sockspec/addr.h"
#include "sockspec/json.h"
#include "sockspec/probe.h"

namespace sockspec {

// Sets the floor for the family's loopback connections: the sysctl where the
// kernel has it, else the route attribute. The observation says which
// ("net.ipv4.tcp_rto_min_us" or "route rto_min"), unobservable with the
// reason where the stack takes neither (the stack's own floor then holds).
nlohmann::json set_loopback_rto_min(Family family, std::chrono::milliseconds floor);

// A scenario's --rto-min-ms flag: apply() sets the floor and says how
// (set_loopback_rto_min()), or "the stack's own" without the flag.
class RtoMinFlag {
 public:
  explicit RtoMinFlag(Probe& probe);
  nlohmann::json apply(const Probe& p) const;

 private:
  int ms_ = 0;
};

}  // namespace sockspec
