// Symbolic names for the constants that appear in syscall arguments, so the
// narrative reads "socket(AF_INET6, SOCK_STREAM|SOCK_NONBLOCK, 0)" and not numbers.
#pragma once

#include <string>

namespace sockspec {

// "EADDRINUSE"; "E<number>" when unknown.
std::string errno_name(int err);
// A pending error as SO_ERROR reports it: "0" for none, else errno_name().
// An errno value, not a call's outcome (that is outcome(): "ok" or the name).
std::string pending_error_name(int err);
std::string domain_name(int domain);
// SOCK_STREAM with |SOCK_NONBLOCK|SOCK_CLOEXEC as present.
std::string socktype_name(int type);
std::string protocol_name(int protocol);
std::string level_name(int level);
std::string sockopt_name(int level, int optname);
std::string shutdown_name(int how);
// MSG_PEEK|MSG_DONTWAIT, or "0".
std::string msg_flags_name(int flags);
// "ESTABLISHED", "TIME-WAIT", ... for the kernel's TCP state numbers.
std::string tcp_state_name(int state);
// POLLIN|POLLOUT, or "0".
std::string poll_events_name(int events);

}  // namespace sockspec
