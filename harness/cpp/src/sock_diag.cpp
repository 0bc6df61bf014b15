#include "sockspec/sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "sockspec/fd.h"
#include "sockspec/names.h"
#include "sockspec/observed.h"
#include "sockspec/wait.h"

namespace sockspec {

nlohmann::json TcpSocketState::to_json() const {
  return {{"state", state_name}, {"local", local.to_string()}, {"remote", remote.to_string()},
          {"timer", timer},      {"expires_ms", expires_ms},   {"retransmits", retransmits},
          {"rqueue", rqueue},    {"wqueue", wqueue}};
}

namespace {
SockAddr diag_addr(int family, const __be32* addr, __be16 port) {
  SockAddr a;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(a.raw());
    sin->sin_family = AF_INET;
    sin->sin_port = port;
    std::memcpy(&sin->sin_addr, addr, 4);
    *a.len_ptr() = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(a.raw());
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = port;
    std::memcpy(&sin6->sin6_addr, addr, 16);
    *a.len_ptr() = sizeof(sockaddr_in6);
  }
  return a;
}

[[noreturn]] void netlink_failure(const char* what) {
  throw std::runtime_error(std::string("sock_diag: ") + what + ": " + errno_name(errno));
}

TcpSocketState from_diag(const inet_diag_msg* msg) {
  TcpSocketState s;
  s.state = msg->idiag_state;
  s.state_name = tcp_state_name(msg->idiag_state);
  s.local = diag_addr(msg->idiag_family, msg->id.idiag_src, msg->id.idiag_sport);
  s.remote = diag_addr(msg->idiag_family, msg->id.idiag_dst, msg->id.idiag_dport);
  s.timer = msg->idiag_timer;
  s.expires_ms = msg->idiag_expires;
  s.retransmits = msg->idiag_retrans;
  s.rqueue = msg->idiag_rqueue;
  s.wqueue = msg->idiag_wqueue;
  s.inode = msg->idiag_inode;
  return s;
}

// Sends one SOCK_DIAG_BY_FAMILY request for TCP and hands each inet_diag_msg
// of the answer to take(); returns the error of an NLMSG_ERROR answer (0
// when the answer ended without one). Throws when netlink itself fails.
template <class Take>
int diag_request(const inet_diag_req_v2& req, uint16_t flags, Take&& take) {
  UniqueFd nl(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!nl) netlink_failure("socket");
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } request{};
  request.nlh.nlmsg_len = sizeof request;
  request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
  request.req = req;
  request.req.sdiag_protocol = IPPROTO_TCP;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(nl.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    netlink_failure("sendto");

  alignas(nlmsghdr) char buf[32768];
  for (;;) {
    const ssize_t n = recv(nl.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      netlink_failure("recv");
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
      take(reinterpret_cast<const inet_diag_msg*>(NLMSG_DATA(h)));
    }
    // An exact lookup is answered with one message and no NLMSG_DONE.
    if (!(flags & NLM_F_DUMP)) return 0;
  }
}

// The address bytes of `a` as inet_diag_sockid carries them; false when `a`
// is not of the family `af`.
bool diag_bytes(int af, const SockAddr& a, __be32* addr, __be16* port) {
  if (a.family() != af) return false;
  if (af == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a.raw());
    std::memcpy(addr, &sin->sin_addr, 4);
    *port = sin->sin_port;
  } else {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a.raw());
    std::memcpy(addr, &sin6->sin6_addr, 16);
    *port = sin6->sin6_port;
  }
  return true;
}
}  // namespace

std::vector<TcpSocketState> list_tcp_sockets(int family) {
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<__u8>(family);
  req.idiag_states = ~0u;  // every state, TIME_WAIT and SYN_RECV included
  std::vector<TcpSocketState> sockets;
  errno = diag_request(req, NLM_F_DUMP, [&](const inet_diag_msg* msg) { sockets.push_back(from_diag(msg)); });
  if (errno != 0) netlink_failure("dump");
  return sockets;
}

std::optional<TcpSocketState> find_connection(int af, const SockAddr& local, const SockAddr& remote) {
  // One exact lookup of the four-tuple (inet_diag_find_one_icsk()), not a
  // dump of every socket: the kernel answers with the established,
  // TIME-WAIT or request socket, or ENOENT. In an AF_INET6 request whose
  // addresses are both IPv4-mapped the kernel looks the IPv4 table up, where
  // an AF_INET socket could answer; the dump of AF_INET6 never listed one.
  inet_diag_req_v2 req{};
  req.sdiag_family = static_cast<__u8>(af);
  req.idiag_states = ~0u;
  req.id.idiag_if = 0;
  req.id.idiag_cookie[0] = req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (!diag_bytes(af, local, req.id.idiag_src, &req.id.idiag_sport) ||
      !diag_bytes(af, remote, req.id.idiag_dst, &req.id.idiag_dport))
    return std::nullopt;  // no socket of family af has these ends
  std::optional<TcpSocketState> found;
  int family = af;
  errno = diag_request(req, 0, [&](const inet_diag_msg* msg) {
    family = msg->idiag_family;
    found = from_diag(msg);
  });
  if (errno == ENOENT) return std::nullopt;  // no such socket
  if (errno != 0) netlink_failure("lookup");
  // With no connection of these ends the lookup falls back to a listener
  // on the local end; a listener is never a connection.
  if (found && (family != af || found->state_name == "LISTEN")) return std::nullopt;
  return found;
}

nlohmann::json connection_state(int af, const SockAddr& local, const SockAddr& remote) {
  try {
    auto s = find_connection(af, local, remote);
    return s ? s->state_name : "none";
  } catch (const std::runtime_error& e) {
    return unobservable(e.what());
  }
}

nlohmann::json describe_connection(int af, const SockAddr& local, const SockAddr& remote) {
  try {
    auto s = find_connection(af, local, remote);
    return s ? s->to_json() : nlohmann::json{{"state", "none"}};
  } catch (const std::runtime_error& e) {
    return unobservable(e.what());
  }
}

nlohmann::json wait_connection_state(int af, const SockAddr& local, const SockAddr& remote, const std::string& state,
                                     std::chrono::milliseconds deadline) {
  return wait_observed(
      [&] { return holds(connection_state(af, local, remote), [&](const nlohmann::json& s) { return s == state; }); },
      deadline);
}

int count_in_state(int family, const std::string& state_name, uint16_t local_port) {
  int n = 0;
  for (const auto& s : list_tcp_sockets(family))
    if (s.state_name == state_name && s.local.port() == local_port) ++n;
  return n;
}

StateTrace::StateTrace(int af, SockAddr a, SockAddr b) : af_(af), a_(a), b_(b) {
  poll_once();
  thread_ = std::thread([this] {
    while (!stop_) {
      poll_once();
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
}

void StateTrace::stop() {
  if (thread_.joinable()) {
    stop_ = true;
    thread_.join();
    poll_once();
  }
}

void StateTrace::poll_once() {
  // Two exact lookups, one right after the other (a dump walked every
  // socket of the host's hash table each 300 µs).
  auto a = find_connection(af_, a_, b_);
  auto b = find_connection(af_, b_, a_);
  const std::string na = a ? a->state_name : "none", nb = b ? b->state_name : "none";
  std::lock_guard lock(mu_);
  if (sa_.empty() || sa_.back() != na) sa_.push_back(na);
  if (sb_.empty() || sb_.back() != nb) sb_.push_back(nb);
  if (a && b && a->state == b->state && a->state < 16) both_[a->state] = true;
}

std::vector<std::string> StateTrace::states_a() {
  std::lock_guard lock(mu_);
  return sa_;
}

std::vector<std::string> StateTrace::states_b() {
  std::lock_guard lock(mu_);
  return sb_;
}

bool StateTrace::both_seen_in(const std::string& state) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < 16; ++i)
    if (both_[i] && tcp_state_name(i) == state) return true;
  return false;
}

}  // namespace sockspec
