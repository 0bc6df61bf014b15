// Steps the teardown probes (suites/tcp_close) share: a listener on a fixed port
// (so a test's fault rule can name it), SO_LINGER and TCP_RTO_MIN_US as recorded
// calls, one connection's socket state through sock_diag, and a trace of the
// states a connection's two ends pass through.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sockspec/scenario.h"

namespace sockspec::tcp_close {




// setsockopt(TCP_RTO_MIN_US, us), recorded: this socket's minimum retransmission timeout.
SysResult set_rto_min_us(Actor& a, int fd, int us);


// The socket whose local and remote ends are these (no listener), as sock_diag
// reports it; nullopt when the kernel holds none.
std::optional<TcpSocketState> find(int af, const SockAddr& local, const SockAddr& remote);

// Its state name ("TIME-WAIT", ...) or "none".
std::string state_of(int af, const SockAddr& local, const SockAddr& remote);

// Waits until state_of() is `state` (or the deadline passes); returns whether it is.
bool wait_state(int af, const SockAddr& local, const SockAddr& remote, const std::string& state,
                std::chrono::milliseconds deadline);

// The state of a socket we hold, from TCP_INFO ("CLOSE-WAIT", "CLOSE", ...).
std::string fd_state(int fd);

// Waits until fd_state(fd) is `state`; returns whether it is.
bool wait_fd_state(int fd, const std::string& state, std::chrono::milliseconds deadline);

// Bytes waiting to be read on fd (SIOCINQ), not recorded: for wait_until() predicates.
long unread_bytes(int fd);

// A counter of /proc/net/snmp's "Tcp:" lines (InSegs, OutRsts, ...), 0 when absent.
long long tcp_mib(const std::string& name);

// Polls sock_diag in a thread and keeps, for each end of one connection, the
// distinct states it went through in order ("FIN-WAIT-1", "CLOSING", ...).
class StateTrace {
 public:
  StateTrace(int af, SockAddr a, SockAddr b);
  ~StateTrace() { stop(); }
  void stop();
  // States of the end whose local address is a (first) or b (second).
  std::vector<std::string> states_a();
  std::vector<std::string> states_b();
  // Whether both ends were seen in `state` in the same sock_diag dump.
  bool both_seen_in(const std::string& state);

 private:
  void poll_once();
  int af_;
  SockAddr a_, b_;
  std::mutex mu_;
  std::vector<std::string> sa_, sb_;
  bool both_[16] = {};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sockspec::tcp_close
