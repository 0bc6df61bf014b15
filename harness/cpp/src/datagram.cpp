#include "sockspec/datagram.h"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/udp.h>
#include <sched.h>
#include <sys/socket.h>

#include <cstring>

#include "sockspec/names.h"

namespace sockspec {

BoundUdp udp_bound(Actor& a, Family family) {
  BoundUdp b;
  b.fd = a.socket(sockspec::af(family), SOCK_DGRAM).fd();
  a.bind(b.fd.get(), SockAddr::loopback(family)).must();
  a.getsockname(b.fd.get(), &b.addr).must();
  return b;
}

SockAddr closed_udp_port(Actor& a, Family family) {
  BoundUdp gone = udp_bound(a, family);
  a.close(gone.fd);
  return gone.addr;
}

SysResult set_recverr(Actor& a, int fd, Family family) {
  const bool v4 = family == Family::kInet;
  return a.setsockopt(fd, v4 ? SOL_IP : SOL_IPV6, v4 ? IP_RECVERR : IPV6_RECVERR, 1);
}

bool stay_on_this_cpu(Actor& a) {
  cpu_set_t one_cpu;
  CPU_ZERO(&one_cpu);
  const int cpu = sched_getcpu();
  if (cpu < 0) return false;
  CPU_SET(cpu, &one_cpu);
  if (sched_setaffinity(0, sizeof one_cpu, &one_cpu) != 0) return false;
  a.note("staying on CPU " + std::to_string(cpu) + ": what I send on lo is delivered in order");
  return true;
}

std::string msg_flags_out(int flags) {
  std::string out;
  for (auto [bit, name] : {std::pair{MSG_TRUNC, "MSG_TRUNC"}, {MSG_CTRUNC, "MSG_CTRUNC"}, {MSG_EOR, "MSG_EOR"},
                           {MSG_OOB, "MSG_OOB"}, {MSG_ERRQUEUE, "MSG_ERRQUEUE"}}) {
    if (flags & bit) out += (out.empty() ? "" : "|") + std::string(name);
  }
  return out.empty() ? "0" : out;
}

namespace {

// Room for the IP-level control messages a datagram can carry together
// (pktinfo, TOS/TCLASS, TTL/HOPLIMIT, an extended error with its offender, UDP_GRO).
constexpr size_t kIpControlSpace = 256;

int cmsg_int(const cmsghdr* c) {
  if (c->cmsg_len >= CMSG_LEN(sizeof(int))) {
    int v;
    memcpy(&v, CMSG_DATA(c), sizeof v);
    return v;
  }
  return *CMSG_DATA(c);  // IP_TOS is one byte
}

std::string address_text(int af, const void* addr) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(af, addr, text, sizeof text);
  return text;
}

// The control message by the name of its type, or false when it is not an IP-level one.
bool ip_control_message(const cmsghdr* c, nlohmann::json* out) {
  const int level = c->cmsg_level, type = c->cmsg_type;
  if (level == SOL_IP && type == IP_PKTINFO) {
    in_pktinfo info;
    memcpy(&info, CMSG_DATA(c), sizeof info);
    (*out)["IP_PKTINFO"] = {{"ifindex", info.ipi_ifindex}, {"addr", address_text(AF_INET, &info.ipi_addr)},
                            {"spec_dst", address_text(AF_INET, &info.ipi_spec_dst)}};
  } else if (level == SOL_IPV6 && type == IPV6_PKTINFO) {
    in6_pktinfo info;
    memcpy(&info, CMSG_DATA(c), sizeof info);
    (*out)["IPV6_PKTINFO"] = {{"ifindex", info.ipi6_ifindex}, {"addr", address_text(AF_INET6, &info.ipi6_addr)}};
  } else if (level == SOL_IP && type == IP_TOS) {
    (*out)["IP_TOS"] = cmsg_int(c);
  } else if (level == SOL_IPV6 && type == IPV6_TCLASS) {
    (*out)["IPV6_TCLASS"] = cmsg_int(c);
  } else if (level == SOL_IP && type == IP_TTL) {
    (*out)["IP_TTL"] = cmsg_int(c);
  } else if (level == SOL_IPV6 && type == IPV6_HOPLIMIT) {
    (*out)["IPV6_HOPLIMIT"] = cmsg_int(c);
  } else if (level == SOL_UDP && type == UDP_GRO) {
    (*out)["UDP_GRO"] = cmsg_int(c);
  } else if ((level == SOL_IP && type == IP_RECVERR) || (level == SOL_IPV6 && type == IPV6_RECVERR)) {
    sock_extended_err ee;
    memcpy(&ee, CMSG_DATA(c), sizeof ee);
    nlohmann::json e{{"errno", errno_name(static_cast<int>(ee.ee_errno))}, {"origin", ee.ee_origin},
                     {"type", ee.ee_type}, {"code", ee.ee_code}};
    const sockaddr* offender = SO_EE_OFFENDER(reinterpret_cast<const sock_extended_err*>(CMSG_DATA(c)));
    if (offender->sa_family == AF_INET)
      e["offender"] = address_text(AF_INET, &reinterpret_cast<const sockaddr_in*>(offender)->sin_addr);
    else if (offender->sa_family == AF_INET6)
      e["offender"] = address_text(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(offender)->sin6_addr);
    (*out)[level == SOL_IP ? "IP_RECVERR" : "IPV6_RECVERR"] = e;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Message recv_message(Actor& a, int fd, size_t max, int flags, int fd_space) {
  Message m;
  std::vector<char> buf(max);
  iovec iov{buf.data(), buf.size()};
  const size_t control_len = fd_space < 0 ? 0 : CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(int) * fd_space) + kIpControlSpace;
  std::vector<char> control(control_len + 1);
  msghdr msg{};
  m.from.prepare_for_output();
  msg.msg_name = m.from.raw();
  msg.msg_namelen = *m.from.len_ptr();
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control_len ? control.data() : nullptr;
  msg.msg_controllen = control_len;
  const std::string text = "recvmsg(" + std::to_string(fd) + ", {buf " + std::to_string(max) + ", control " +
                           std::to_string(control_len) + "}, " + msg_flags_name(flags) + ")";
  m.r = a.record("recvmsg", {{"fd", fd}, {"len", max}, {"flags", msg_flags_name(flags)}, {"control", control_len}},
                 text, [&] { return ::recvmsg(fd, &msg, flags); },
                 [&](long n) {
                   *m.from.len_ptr() = msg.msg_namelen;
                   m.msg_flags = msg.msg_flags;
                   m.data.assign(buf.data(), std::min<size_t>(static_cast<size_t>(n), max));
                   for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                     if (ip_control_message(c, &m.ancillary)) continue;
                     if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                       uint32_t v;
                       memcpy(&v, CMSG_DATA(c), sizeof v);
                       m.drops = v;
                     } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                       const size_t n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                       for (size_t i = 0; i < n_fds; ++i) {
                         int f;
                         memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
                         m.fds.push_back(f);
                       }
                     }
                   }
                   nlohmann::json j{{"msg_flags", msg_flags_out(msg.msg_flags)}, {"bytes", m.data.size()}};
                   if (m.data.size() <= 64) j["data"] = m.data;
                   if (msg.msg_namelen > sizeof(sa_family_t)) j["from"] = m.from.to_string();
                   if (m.drops) j["SO_RXQ_OVFL"] = *m.drops;
                   if (!m.fds.empty()) j["SCM_RIGHTS"] = m.fds;
                   for (const auto& [name, value] : m.ancillary.items()) j[name] = value;
                   return j;
                 });
  return m;
}

SysResult send_message(Actor& a, int fd, const std::string& data, const std::vector<int>& fds) {
  iovec iov{const_cast<char*>(data.data()), data.size()};
  std::vector<char> control(fds.empty() ? 0 : CMSG_SPACE(sizeof(int) * fds.size()));
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::string fd_list;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    for (int f : fds) fd_list += (fd_list.empty() ? "" : ",") + std::to_string(f);
  }
  const std::string text = "sendmsg(" + std::to_string(fd) + ", {\"" + (data.size() <= 24 ? data : "...") +
                           "\" " + std::to_string(data.size()) + (fds.empty() ? "" : ", SCM_RIGHTS [" + fd_list + "]") +
                           "}, 0)";
  return a.record("sendmsg", {{"fd", fd}, {"len", data.size()}, {"scm_rights", fds}}, text,
                  [&] { return ::sendmsg(fd, &msg, 0); });
}

}  // namespace sockspec
