// A socket's buffer sizes as the kernel keeps them (socket(7) SO_SNDBUF,
// SO_RCVBUF): what a fresh socket has, and what it has after asking for a size.
#pragma once

#include "sockspec/probe.h"

namespace sockspec {

// The client makes a TCP socket of the probe's family, reads `optname`
// (SO_SNDBUF or SO_RCVBUF), sets it to `request` bytes and reads it again.
// Observes "default" (before), "set" (the setsockopt() outcome), "kept" (after),
// "request", and "cap": the namespace's net.core.wmem_max or rmem_max, which
// bounds the request (unobservable where this namespace has no such sysctl).
void ask_for_buffer(Probe& p, int optname, int request);

}  // namespace sockspec
