// Recorded calls the Actor has no wrapper for: fcntl() queries, setsockopt()
// calls that take a struct or a newer option, the queue-length ioctl()s, an
// int option read as an observation.
#pragma once

#include <chrono>
#include <optional>

#include "sockspec/json.h"

#include "sockspec/actor.h"

namespace sockspec {

// fcntl(fd, F_GETFL) / fcntl(fd, F_GETFD); the flags word.
SysResult get_fl(Actor& a, int fd);
SysResult get_fd_flags(Actor& a, int fd);

// dup(fd): a second descriptor for the same open file.
SysResult dup_fd(Actor& a, int fd);
// getsockopt(SO_ERROR): the pending error as pending_error_name() says it ("0", "ECONNRESET").
std::string pending_error(Actor& a, int fd);

// setsockopt(TCP_RTO_MIN_US, us): this socket's minimum retransmission timeout.
SysResult set_rto_min_us(Actor& a, int fd, int us);

// setsockopt(SO_SNDTIMEO / SO_RCVTIMEO, ms): how long a blocking send() or
// connect() / recv() or accept() may wait.
SysResult set_sndtimeo_ms(Actor& a, int fd, int ms);
SysResult set_rcvtimeo_ms(Actor& a, int fd, int ms);

// Bytes waiting to be read (SIOCINQ) or not yet acknowledged (SIOCOUTQ), as
// an observation: the number, or unobservable where the ioctl() fails.
nlohmann::json inq(Actor& a, int fd);
nlohmann::json outq(Actor& a, int fd);
// Bytes written but not yet sent (SIOCOUTQNSD), the same way.
nlohmann::json outq_not_sent(Actor& a, int fd);

// getsockopt() of an int option as an observation: its value, or unobservable
// where the call fails (an option this stack does not know).
nlohmann::json sockopt_int(Actor& a, int fd, int level, int optname);

// The same, not recorded, for wait_until() predicates that poll them; nullopt where the ioctl() fails.
std::optional<long> unread_bytes(int fd);
std::optional<long> unacked_bytes(int fd);
std::optional<long> unsent_bytes(int fd);

// Waits until SIOCOUTQ is 0, every byte sent acknowledged: true, false at
// the deadline, or at once unobservable where the ioctl() fails (gVisor
// answers ENOPROTOOPT), never a stand-in false.
nlohmann::json wait_all_acked(int fd, std::chrono::milliseconds deadline);

}  // namespace sockspec
