#include "sockspec/names.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>
#include <vector>

namespace sockspec {

namespace {
using Table = std::vector<std::pair<int, const char*>>;

std::string lookup(const Table& table, int value, const std::string& fallback) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return fallback;
}

std::string flags(const Table& table, int value) {
  if (value == 0) return "0";
  std::string out;
  for (const auto& [bit, name] : table) {
    if (value & bit) {
      if (!out.empty()) out += "|";
      out += name;
      value &= ~bit;
    }
  }
  if (value) {
    if (!out.empty()) out += "|";
    out += "0x" + [&] { char b[16]; snprintf(b, sizeof b, "%x", value); return std::string(b); }();
  }
  return out;
}
}  // namespace

std::string errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

std::string pending_error_name(int err) { return err == 0 ? "0" : errno_name(err); }

std::string domain_name(int domain) {
  static const Table t = {{AF_UNSPEC, "AF_UNSPEC"}, {AF_UNIX, "AF_UNIX"}, {AF_INET, "AF_INET"},
                          {AF_INET6, "AF_INET6"}, {AF_PACKET, "AF_PACKET"}, {AF_NETLINK, "AF_NETLINK"}};
  return lookup(t, domain, std::to_string(domain));
}

std::string socktype_name(int type) {
  static const Table t = {{SOCK_STREAM, "SOCK_STREAM"}, {SOCK_DGRAM, "SOCK_DGRAM"},
                          {SOCK_RAW, "SOCK_RAW"},       {SOCK_RDM, "SOCK_RDM"},
                          {SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {SOCK_PACKET, "SOCK_PACKET"}};
  std::string out = lookup(t, type & 0xf, std::to_string(type & 0xf));
  if (type & SOCK_NONBLOCK) out += "|SOCK_NONBLOCK";
  if (type & SOCK_CLOEXEC) out += "|SOCK_CLOEXEC";
  return out;
}

std::string protocol_name(int protocol) {
  static const Table t = {{0, "0"}, {IPPROTO_TCP, "IPPROTO_TCP"}, {IPPROTO_UDP, "IPPROTO_UDP"},
                          {IPPROTO_ICMP, "IPPROTO_ICMP"}, {IPPROTO_ICMPV6, "IPPROTO_ICMPV6"},
                          {IPPROTO_SCTP, "IPPROTO_SCTP"}, {IPPROTO_RAW, "IPPROTO_RAW"}};
  return lookup(t, protocol, std::to_string(protocol));
}

std::string level_name(int level) {
  static const Table t = {{SOL_SOCKET, "SOL_SOCKET"}, {IPPROTO_TCP, "IPPROTO_TCP"},
                          {IPPROTO_IP, "IPPROTO_IP"}, {IPPROTO_IPV6, "IPPROTO_IPV6"},
                          {IPPROTO_UDP, "IPPROTO_UDP"}};
  return lookup(t, level, std::to_string(level));
}

std::string sockopt_name(int level, int optname) {
  static const Table sol = {
      {SO_REUSEADDR, "SO_REUSEADDR"}, {SO_REUSEPORT, "SO_REUSEPORT"}, {SO_TYPE, "SO_TYPE"},
      {SO_PROTOCOL, "SO_PROTOCOL"},   {SO_DOMAIN, "SO_DOMAIN"},       {SO_ERROR, "SO_ERROR"},
      {SO_LINGER, "SO_LINGER"},       {SO_KEEPALIVE, "SO_KEEPALIVE"}, {SO_RCVBUF, "SO_RCVBUF"},
      {SO_SNDBUF, "SO_SNDBUF"},       {SO_BROADCAST, "SO_BROADCAST"}, {SO_OOBINLINE, "SO_OOBINLINE"},
      {SO_RCVLOWAT, "SO_RCVLOWAT"},   {SO_ACCEPTCONN, "SO_ACCEPTCONN"}, {SO_PEERCRED, "SO_PEERCRED"},
      {SO_RCVTIMEO, "SO_RCVTIMEO"},   {SO_SNDTIMEO, "SO_SNDTIMEO"},   {SO_RXQ_OVFL, "SO_RXQ_OVFL"},
      {SO_BINDTODEVICE, "SO_BINDTODEVICE"}, {SO_NO_CHECK, "SO_NO_CHECK"}};
  static const Table tcp = {
      {TCP_NODELAY, "TCP_NODELAY"},     {TCP_CORK, "TCP_CORK"},         {TCP_INFO, "TCP_INFO"},
      {TCP_KEEPIDLE, "TCP_KEEPIDLE"},   {TCP_KEEPINTVL, "TCP_KEEPINTVL"}, {TCP_KEEPCNT, "TCP_KEEPCNT"},
      {TCP_QUICKACK, "TCP_QUICKACK"},   {TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"},
      {TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"}, {TCP_FASTOPEN, "TCP_FASTOPEN"},
      {TCP_FASTOPEN_CONNECT, "TCP_FASTOPEN_CONNECT"}, {TCP_MAXSEG, "TCP_MAXSEG"},
      {TCP_SYNCNT, "TCP_SYNCNT"},       {TCP_LINGER2, "TCP_LINGER2"},
      {TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT"}};
  static const Table ip = {
      {IP_TOS, "IP_TOS"},               {IP_TTL, "IP_TTL"},             {IP_PKTINFO, "IP_PKTINFO"},
      {IP_RECVERR, "IP_RECVERR"},       {IP_RECVTOS, "IP_RECVTOS"},     {IP_RECVTTL, "IP_RECVTTL"},
      {IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP"}, {IP_MULTICAST_TTL, "IP_MULTICAST_TTL"},
      {IP_MTU_DISCOVER, "IP_MTU_DISCOVER"}, {IP_BIND_ADDRESS_NO_PORT, "IP_BIND_ADDRESS_NO_PORT"}};
  static const Table ip6 = {
      {IPV6_V6ONLY, "IPV6_V6ONLY"},     {IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO"},
      {IPV6_RECVERR, "IPV6_RECVERR"},   {IPV6_TCLASS, "IPV6_TCLASS"},   {IPV6_RECVTCLASS, "IPV6_RECVTCLASS"},
      {IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"}, {IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT"},
      {IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP"}};
  static const Table udp = {{UDP_CORK, "UDP_CORK"}, {UDP_SEGMENT, "UDP_SEGMENT"}, {UDP_GRO, "UDP_GRO"},
                            {UDP_NO_CHECK6_TX, "UDP_NO_CHECK6_TX"}, {UDP_NO_CHECK6_RX, "UDP_NO_CHECK6_RX"}};
  const Table* table = level == SOL_SOCKET ? &sol : level == IPPROTO_TCP ? &tcp
                       : level == IPPROTO_IPV6 ? &ip6 : level == IPPROTO_IP ? &ip
                       : level == IPPROTO_UDP ? &udp : nullptr;
  return table ? lookup(*table, optname, std::to_string(optname)) : std::to_string(optname);
}

std::string shutdown_name(int how) {
  static const Table t = {{SHUT_RD, "SHUT_RD"}, {SHUT_WR, "SHUT_WR"}, {SHUT_RDWR, "SHUT_RDWR"}};
  return lookup(t, how, std::to_string(how));
}

std::string msg_flags_name(int f) {
  static const Table t = {{MSG_OOB, "MSG_OOB"},           {MSG_PEEK, "MSG_PEEK"},
                          {MSG_DONTWAIT, "MSG_DONTWAIT"}, {MSG_WAITALL, "MSG_WAITALL"},
                          {MSG_TRUNC, "MSG_TRUNC"},       {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
                          {MSG_CTRUNC, "MSG_CTRUNC"},     {MSG_FASTOPEN, "MSG_FASTOPEN"},
                          {MSG_MORE, "MSG_MORE"},         {MSG_ERRQUEUE, "MSG_ERRQUEUE"}};
  return flags(t, f);
}

std::string tcp_state_name(int state) {
  static const Table t = {{1, "ESTABLISHED"}, {2, "SYN-SENT"},   {3, "SYN-RECV"},  {4, "FIN-WAIT-1"},
                          {5, "FIN-WAIT-2"},  {6, "TIME-WAIT"},  {7, "CLOSE"},     {8, "CLOSE-WAIT"},
                          {9, "LAST-ACK"},    {10, "LISTEN"},    {11, "CLOSING"},  {12, "NEW-SYN-RECV"}};
  return lookup(t, state, "STATE-" + std::to_string(state));
}

std::string poll_events_name(int events) {
  static const Table t = {{POLLIN, "POLLIN"},   {POLLPRI, "POLLPRI"}, {POLLOUT, "POLLOUT"},
                          {POLLERR, "POLLERR"}, {POLLHUP, "POLLHUP"}, {POLLNVAL, "POLLNVAL"},
                          {POLLRDHUP, "POLLRDHUP"}};
  return flags(t, events);
}

}  // namespace sockspec
