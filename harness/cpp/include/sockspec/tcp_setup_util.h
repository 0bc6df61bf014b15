// Steps the connection set-up and accept probes share (suites/tcp_connect,
// suites/tcp_accept): recorded calls the Actor has no wrapper for, counters,
// and sock_diag questions about one port.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "sockspec/json.h"

#include "sockspec/actor.h"
#include "sockspec/probe.h"

namespace sockspec::tcp_setup {
using namespace sockspec;

// A TcpExt counter of the namespace (/proc/net/netstat); -1 when absent.
long long tcpext(const std::string& name);


// fcntl(fd, F_GETFL) / fcntl(fd, F_GETFD), recorded; the flags word.
SysResult get_fl(Actor& a, int fd);
SysResult get_fd_flags(Actor& a, int fd);

// The socket's TCP state through TCP_INFO ("ESTABLISHED", "SYN-SENT"), "?" when unknown.
std::string tcp_state_of(int fd);

// How many sockets of this family sock_diag lists in the state `state_name`
// ("SYN-RECV" for request sockets: inet_diag reports them so) with local port `local_port`.
int count_in_state(int family, const std::string& state_name, uint16_t local_port);

// A non-blocking socket, [bound to `local`], connect()ed to `to`: the
// descriptor, what connect() returned, and the local address it got.
struct StartedConnect {
  UniqueFd fd;
  SysResult connect;
  SockAddr local;
};
StartedConnect start_connect(Actor& a, const SockAddr& to, const SockAddr* local = nullptr);

// A number that grows when the kernel does one particular thing with a SYN
// (the accept queue's length, a counter, the count of request sockets);
// read() is negative where this stack cannot show it.
struct Signal {
  std::string name;  // what it means: "queued", "dropped", "cookie"
  std::function<long long()> read;
  long long baseline = 0;
};
// Waits until one signal is above its baseline; returns its name (and raises
// that baseline by one); at the deadline "undetermined", or unobservable when
// this stack can show none of the signals.
nlohmann::json first_signal(std::vector<Signal>& signals, std::chrono::milliseconds deadline);

// The listener's accept queue length as a Signal reads it: -1 where it cannot be read.
long long queued_or_unreadable(int listener);

// "0" for success, else the errno's name: how probes observe a call's outcome.
std::string outcome(const SysResult& r);

}  // namespace sockspec::tcp_setup
