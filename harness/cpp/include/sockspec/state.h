// Readers for the kernel's view of sockets: TCP_INFO, a listener's accept
// queue, socket states and timers through sock_diag, the namespace's counters
// and sysctls. Each reads the network namespace the probe runs in.
#pragma once

#include <netinet/tcp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sockspec/json.h"

#include "sockspec/addr.h"

namespace sockspec {

std::optional<tcp_info> read_tcp_info(int fd);

// For a listening TCP socket, Linux reports in TCP_INFO the number of
// connections waiting in the accept queue (tcpi_unacked) and the queue's
// limit, the backlog after the somaxconn cap (tcpi_sacked). A stack that
// answers TCP_INFO without those fields (gVisor fills only the state and
// the timers) leaves `unobservable` saying so; `valid` is false then.
struct ListenerQueue {
  uint32_t queued = 0;
  uint32_t backlog = 0;
  bool valid = false;
  std::string unobservable;  // why the queue cannot be read, when !valid

  // queued / backlog as an observation: the number, or {"unobservable": reason}.
  nlohmann::json queued_json() const;
  nlohmann::json backlog_json() const;
};
ListenerQueue read_listener_queue(int fd);

// One TCP socket as sock_diag (inet_diag) reports it.
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
// in every state, TIME_WAIT and request sockets included. Throws on netlink errors.
std::vector<TcpSocketState> list_tcp_sockets(int family);

// A counter from /proc/net/netstat or /proc/net/snmp, e.g. ("TcpExt", "ListenOverflows");
// nullopt when this kernel has no such counter.
std::optional<long long> read_net_counter(const std::string& group, const std::string& name);

// A sysctl of this namespace, e.g. "net.core.somaxconn"; nullopt when absent.
std::optional<std::string> read_sysctl(const std::string& name);

}  // namespace sockspec
