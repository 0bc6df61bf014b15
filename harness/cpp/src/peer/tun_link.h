// The peer's link: a tun device in this network namespace with the kernel's
// address on it, configured through rtnetlink and an ioctl (which gVisor's
// netstack also speaks) rather than the ip command, which a guest may lack.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sockspec {

// Opens /dev/net/tun as `name` (IFF_TUN | IFF_NO_PI: each read or write is one
// IP packet), adds `address`/`prefix` to it and brings it up. IPv6 addresses
// are added with IFA_F_NODAD, usable at once. Returns the tun descriptor;
// throws EnvironmentFailure naming the step that failed.
int open_tun_link(const std::string& name, int family, const std::string& address, int prefix);

// Replaces the route to `address`/`prefix` on the link `name` with one that
// carries the metrics (RTAX_RTO_MIN in ms, RTAX_INITCWND in segments, ...), as
// `ip route replace ... rto_min 2000ms` does: per-route values that a sysctl
// only has on newer kernels (net.ipv4.tcp_rto_min_us) or not at all. Returns
// the kernel's error (0: done).
int set_route_metrics(const std::string& name, int family, const std::string& address, int prefix,
                      const std::vector<std::pair<unsigned short, uint32_t>>& metrics);

}  // namespace sockspec
