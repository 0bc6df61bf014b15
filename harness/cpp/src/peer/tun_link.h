// The peer's link: a tun device in this network namespace with the kernel's
// address on it, configured through rtnetlink and an ioctl (which gVisor's
// netstack also speaks) rather than the ip command, which a guest may lack.
#pragma once

#include <string>

namespace sockspec {

// Opens /dev/net/tun as `name` (IFF_TUN | IFF_NO_PI: each read or write is one
// IP packet), adds `address`/`prefix` to it and brings it up. IPv6 addresses
// are added with IFA_F_NODAD, usable at once. Returns the tun descriptor;
// throws EnvironmentFailure naming the step that failed.
int open_tun_link(const std::string& name, int family, const std::string& address, int prefix);

}  // namespace sockspec
