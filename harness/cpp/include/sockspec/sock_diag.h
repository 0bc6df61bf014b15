// TCP sockets as sock_diag (inet_diag) reports them: every socket of the
// namespace, TIME-WAIT and request sockets included, so a probe sees the ends
// it no longer holds. Where sock_diag cannot be used, a state read through
// here is unobservable with the reason.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sockspec/json.h"

#include "sockspec/addr.h"

namespace sockspec {

// One TCP socket as sock_diag reports it.
struct TcpSocketState {
  int state = 0;
  std::string state_name;  // "TIME-WAIT"
  SockAddr local;
  SockAddr remote;
  // The pending timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe.
  int timer = 0;
  uint32_t expires_ms = 0;  // time left on that timer
  uint32_t retransmits = 0;
  uint32_t rqueue = 0;  // for a listener: connections in the accept queue
  uint32_t wqueue = 0;  // for a listener: the backlog
  uint64_t inode = 0;

  nlohmann::json to_json() const;
};

// Every TCP socket of the given family (AF_INET or AF_INET6) in this namespace,
// in every state. Throws std::runtime_error on netlink errors.
std::vector<TcpSocketState> list_tcp_sockets(int family);

// The socket whose local and remote ends are these (no listener), looked up
// exactly (not a dump); nullopt when the kernel holds none. Throws
// std::runtime_error where sock_diag fails.
std::optional<TcpSocketState> find_connection(int af, const SockAddr& local, const SockAddr& remote);

// That socket's state name ("TIME-WAIT", ...), "none" when the kernel holds
// no such socket, unobservable where sock_diag fails.
nlohmann::json connection_state(int af, const SockAddr& local, const SockAddr& remote);

// That socket as an observation: its sock_diag fields, {"state": "none"}, or unobservable.
nlohmann::json describe_connection(int af, const SockAddr& local, const SockAddr& remote);

// Waits until connection_state() is `state` (or the deadline passes);
// returns whether it is, or at once unobservable where sock_diag fails.
nlohmann::json wait_connection_state(int af, const SockAddr& local, const SockAddr& remote, const std::string& state,
                                     std::chrono::milliseconds deadline);

// How many sockets of this family are in the state `state_name` ("SYN-RECV"
// for request sockets: inet_diag reports them so) with local port `local_port`.
int count_in_state(int family, const std::string& state_name, uint16_t local_port);

// Polls sock_diag (two exact lookups every 300 µs) in a thread and keeps, for each end of one connection, the
// distinct states it went through in order ("FIN-WAIT-1", "CLOSING", ...).
class StateTrace {
 public:
  StateTrace(int af, SockAddr a, SockAddr b);
  ~StateTrace() { stop(); }
  void stop();
  // States of the end whose local address is a (first) or b (second).
  std::vector<std::string> states_a();
  std::vector<std::string> states_b();
  // Whether both ends were seen in `state` in the same poll.
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

}  // namespace sockspec
