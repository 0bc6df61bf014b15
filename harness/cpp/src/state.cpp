#include "sockspec/state.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sockspec/fd.h"
#include "sockspec/names.h"
#include "sockspec/observed.h"

namespace sockspec {

std::optional<tcp_info> read_tcp_info(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  return info;
}

ListenerQueue read_listener_queue(int fd) {
  ListenerQueue q;
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    q.unobservable = std::string("getsockopt(TCP_INFO) failed with ") + errno_name(errno);
  } else if (info.tcpi_state != 10 /* TCP_LISTEN */) {
    q.unobservable = "not a listening socket (TCP_INFO state " + std::to_string(info.tcpi_state) + ")";
  } else if (len < offsetof(tcp_info, tcpi_sacked) + sizeof info.tcpi_sacked ||
             (info.tcpi_sacked == 0 && info.tcpi_reordering == 0)) {
    // For a listener Linux fills tcpi_reordering (net.ipv4.tcp_reordering,
    // 3) beside the queue fields (tcp_get_info()); a TCP_INFO with neither
    // reordering nor a backlog carries no queue fields at all.
    q.unobservable = "listener TCP_INFO does not report the accept queue on this stack";
  } else {
    q.queued = info.tcpi_unacked;
    q.backlog = info.tcpi_sacked;
    q.valid = true;
  }
  return q;
}

nlohmann::json ListenerQueue::queued_json() const {
  return valid ? nlohmann::json(queued) : sockspec::unobservable(unobservable);
}

nlohmann::json ListenerQueue::backlog_json() const {
  return valid ? nlohmann::json(backlog) : sockspec::unobservable(unobservable);
}

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
}  // namespace

std::vector<TcpSocketState> list_tcp_sockets(int family) {
  UniqueFd nl(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!nl) netlink_failure("socket");

  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } request{};
  request.nlh.nlmsg_len = sizeof request;
  request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.req.sdiag_family = static_cast<__u8>(family);
  request.req.sdiag_protocol = IPPROTO_TCP;
  request.req.idiag_states = ~0u;  // every state, TIME_WAIT and SYN_RECV included
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(nl.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) < 0)
    netlink_failure("sendto");

  std::vector<TcpSocketState> sockets;
  alignas(nlmsghdr) char buf[32768];
  for (;;) {
    const ssize_t n = recv(nl.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      netlink_failure("recv");
    }
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return sockets;
      if (h->nlmsg_type == NLMSG_ERROR) {
        errno = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        netlink_failure("dump");
      }
      const auto* msg = reinterpret_cast<const inet_diag_msg*>(NLMSG_DATA(h));
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
      sockets.push_back(s);
    }
  }
}

std::optional<long long> read_net_counter(const std::string& group, const std::string& name) {
  // Both files hold pairs of lines: "Group: name name ..." then "Group: value value ...".
  for (const char* path : {"/proc/net/netstat", "/proc/net/snmp"}) {
    std::ifstream in(path);
    std::string names, values;
    while (std::getline(in, names) && std::getline(in, values)) {
      std::istringstream n(names), v(values);
      std::string n_tok, v_tok;
      n >> n_tok;
      v >> v_tok;
      if (n_tok != group + ":") continue;
      while (n >> n_tok && v >> v_tok) {
        if (n_tok == name) return std::stoll(v_tok);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> read_sysctl(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  for (char& c : path)
    if (c == '.') c = '/';
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string value;
  std::getline(in, value);
  for (char& c : value)
    if (c == '\t') c = ' ';
  return value;
}

}  // namespace sockspec
