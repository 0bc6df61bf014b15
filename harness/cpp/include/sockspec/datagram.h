// Datagram sockets and messages: a bound UDP socket, recvmsg() with its flags
// and ancillary data (SO_RXQ_OVFL, SCM_RIGHTS, the IP/IPv6/UDP control messages),
// sendmsg() with descriptors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sockspec/actor.h"
#include "sockspec/addr.h"
#include "sockspec/fd.h"
#include "sockspec/json.h"

namespace sockspec {

// A UDP socket bound to loopback port 0 and the address the kernel gave it.
struct BoundUdp {
  UniqueFd fd;
  SockAddr addr;
};

// socket(SOCK_DGRAM), bind() to 127.0.0.1:0 or [::1]:0, getsockname().
BoundUdp udp_bound(Actor& a, Family family);

// A loopback UDP address with nobody bound to it: a port a just was given and
// closed again (a datagram sent there draws ICMP port unreachable).
SockAddr closed_udp_port(Actor& a, Family family);

// setsockopt(IP_RECVERR) (IPV6_RECVERR for inet6) = 1: ICMP errors queued
// for MSG_ERRQUEUE, and reported on an unconnected socket too.
SysResult set_recverr(Actor& a, int fd, Family family);

// What one recvmsg() gave back.
struct Message {
  SysResult r;
  std::string data;                // the bytes copied into the buffer
  int msg_flags = 0;               // MSG_TRUNC, MSG_CTRUNC, ...
  SockAddr from;                   // the sender (datagram sockets)
  std::optional<uint32_t> drops;   // SO_RXQ_OVFL: datagrams dropped before this one was queued
  std::vector<int> fds;            // SCM_RIGHTS: descriptors installed in this process
  // The IP-level control messages by name: "IP_PKTINFO" {"ifindex", "addr", "spec_dst"},
  // "IPV6_PKTINFO" {"ifindex", "addr"}, "IP_TOS", "IPV6_TCLASS", "IP_TTL", "IPV6_HOPLIMIT",
  // "UDP_GRO" (numbers), "IP_RECVERR" / "IPV6_RECVERR" {"errno", "origin", "type", "code", "offender"}.
  nlohmann::json ancillary = nlohmann::json::object();
};

// recvmsg(fd, {buf of max bytes}, flags) recorded with msg_flags and the ancillary
// data; fd_space is how many SCM_RIGHTS descriptors the control buffer holds
// (0: a buffer only for SO_RXQ_OVFL; -1: no control buffer at all).
Message recv_message(Actor& a, int fd, size_t max, int flags, int fd_space = 0);

// sendmsg(fd, data, SCM_RIGHTS fds) recorded; fds empty sends no ancillary data.
SysResult send_message(Actor& a, int fd, const std::string& data, const std::vector<int>& fds = {});

// Pins the calling thread to the CPU it runs on, noted on a's timeline (false
// when the stack refuses): datagrams sent on lo from one CPU enter that CPU's
// receive backlog and are delivered in order, so a later "fence" datagram,
// once read, shows that every earlier one has been delivered or dropped.
bool stay_on_this_cpu(Actor& a);

// "MSG_TRUNC|MSG_CTRUNC" for the flags recvmsg() returns, or "0".
std::string msg_flags_out(int flags);

}  // namespace sockspec
