// Steps the sockets-API probes (suites/socket_api) share: addresses built by
// hand as a C program would, SO_LINGER, capabilities, the ephemeral port range.
#pragma once

#include <string>
#include <utility>

#include "sockspec/actor.h"

namespace sockspec::socket_api {

// A SockAddr holding exactly these bytes (a sockaddr_in/sockaddr_in6 filled in by hand).
SockAddr from_raw(const void* sa, socklen_t len);



// Whether the calling thread has this capability in its effective set.
bool has_capability(int cap);

// Removes one capability from the calling thread's effective, permitted and
// inheritable sets with capset(2) (capabilities are per thread on Linux), recorded.
SysResult drop_capability(Actor& actor, int cap, const std::string& cap_name);

// The namespace's net.ipv4.ip_local_port_range as {low, high}; {-1, -1} when unreadable.
std::pair<int, int> local_port_range();

}  // namespace sockspec::socket_api
