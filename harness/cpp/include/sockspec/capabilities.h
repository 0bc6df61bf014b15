// The calling thread's capabilities (capabilities are per thread on Linux).
#pragma once

#include <string>

#include "sockspec/actor.h"

namespace sockspec {

// Whether the calling thread has this capability in its effective set.
bool has_capability(int cap);

// Removes one capability from the calling thread's effective, permitted and
// inheritable sets with capset(2), recorded.
SysResult drop_capability(Actor& actor, int cap, const std::string& cap_name);

}  // namespace sockspec
