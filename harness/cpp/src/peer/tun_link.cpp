#include "tun_link.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sockspec/actor.h"
#include "sockspec/fd.h"
#include "sockspec/wait.h"

namespace sockspec {

namespace {

struct Request {
  nlmsghdr header;
  char body[256];
};

void add_attribute(Request& r, unsigned short type, const void* data, size_t len) {
  auto* a = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&r) + NLMSG_ALIGN(r.header.nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  r.header.nlmsg_len = NLMSG_ALIGN(r.header.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

// Sends one request with NLM_F_ACK and returns the kernel's error (0: done).
int transact(Request& r, const std::string& what) {
  UniqueFd nl(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!nl.valid()) throw EnvironmentFailure("socket(AF_NETLINK) for " + what, errno);
  r.header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  r.header.nlmsg_seq = 1;
  if (send(nl.get(), &r, r.header.nlmsg_len, 0) < 0) throw EnvironmentFailure("rtnetlink " + what, errno);
  char reply[4096];
  const ssize_t n = recv(nl.get(), reply, sizeof reply, 0);
  if (n < static_cast<ssize_t>(NLMSG_HDRLEN + sizeof(nlmsgerr))) throw EnvironmentFailure("rtnetlink " + what, errno ? errno : EPROTO);
  auto* h = reinterpret_cast<nlmsghdr*>(reply);
  if (h->nlmsg_type != NLMSG_ERROR) return 0;
  return -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
}

template <class Body>
Request request(unsigned short type, unsigned short flags, const Body& body) {
  Request r{};
  r.header.nlmsg_type = type;
  r.header.nlmsg_flags = flags;
  r.header.nlmsg_len = NLMSG_LENGTH(sizeof(Body));
  memcpy(NLMSG_DATA(&r.header), &body, sizeof(Body));
  return r;
}

}  // namespace

namespace {

// Whether the kernel routes `bytes` to itself (an RTN_LOCAL route): an IPv6
// address is only accepted on input once addrconf's work has inserted its
// local route, after the address was added and even with IFA_F_NODAD.
// Unknown (no answer to RTM_GETROUTE for one address): true.
bool routed_locally(int family, const unsigned char* bytes, size_t len) {
  rtmsg rm{};
  rm.rtm_family = static_cast<unsigned char>(family);
  rm.rtm_dst_len = static_cast<unsigned char>(len * 8);
  Request r = request(RTM_GETROUTE, 0, rm);
  add_attribute(r, RTA_DST, bytes, len);
  r.header.nlmsg_flags |= NLM_F_REQUEST;
  UniqueFd nl(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!nl.valid() || send(nl.get(), &r, r.header.nlmsg_len, 0) < 0) return true;
  char reply[4096];
  if (recv(nl.get(), reply, sizeof reply, 0) < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(rtmsg)))) return true;
  auto* h = reinterpret_cast<nlmsghdr*>(reply);
  if (h->nlmsg_type != RTM_NEWROUTE) return h->nlmsg_type == NLMSG_ERROR &&
      -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error == EOPNOTSUPP;
  return reinterpret_cast<rtmsg*>(NLMSG_DATA(h))->rtm_type == RTN_LOCAL;
}

}  // namespace

int open_tun_link(const std::string& name, int family, const std::string& address, int prefix) {
  const int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tun < 0) throw EnvironmentFailure("open(\"/dev/net/tun\")", errno);
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(tun, TUNSETIFF, &ifr) < 0) {
    const int err = errno;
    close(tun);
    throw EnvironmentFailure("ioctl(TUNSETIFF, \"" + name + "\")", err);
  }
  const unsigned index = if_nametoindex(name.c_str());

  ifaddrmsg am{};
  am.ifa_family = static_cast<unsigned char>(family);
  am.ifa_prefixlen = static_cast<unsigned char>(prefix);
  am.ifa_index = index;
  Request add = request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, am);
  unsigned char bytes[16];
  inet_pton(family, address.c_str(), bytes);
  const size_t len = family == AF_INET ? 4 : 16;
  add_attribute(add, IFA_LOCAL, bytes, len);
  add_attribute(add, IFA_ADDRESS, bytes, len);
  Request plain = add;
  // No duplicate address detection: the address is usable as soon as it is
  // added. gVisor's netstack (2022) refuses the IFA_FLAGS attribute
  // (EOPNOTSUPP) after adding the address (a second add: EEXIST), and does
  // no DAD on it.
  const uint32_t flags = IFA_F_NODAD;
  if (family == AF_INET6) add_attribute(add, IFA_FLAGS, &flags, sizeof flags);
  int err = transact(add, "RTM_NEWADDR " + address);
  // Linux's addrconf runs its (skipped) DAD from a work item, which inserts
  // the local route after RTM_NEWADDR returns; IPv4's is there at once, and a
  // stack that refused IFA_FLAGS has no addrconf work to wait for.
  const bool await_local_route = family == AF_INET6 && err == 0;
  if (err == EOPNOTSUPP && family == AF_INET6) {
    err = transact(plain, "RTM_NEWADDR " + address);
    if (err == EEXIST) err = 0;
  }
  if (err) {
    close(tun);
    throw EnvironmentFailure("rtnetlink RTM_NEWADDR " + address + " on " + name, err);
  }

  // Up with SIOCSIFFLAGS. gVisor's netstack (2022) has neither it (ENOTTY)
  // nor RTM_NEWLINK (EOPNOTSUPP), and its tun device passes packets as made.
  UniqueFd ctl(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  err = ctl.valid() && ioctl(ctl.get(), SIOCGIFFLAGS, &ifr) == 0 ? 0 : errno;
  if (err == 0) {
    ifr.ifr_flags |= IFF_UP;
    err = ioctl(ctl.get(), SIOCSIFFLAGS, &ifr) == 0 ? 0 : errno;
  }
  if (err != 0 && err != ENOTTY) {
    close(tun);
    throw EnvironmentFailure("ioctl(SIOCSIFFLAGS, \"" + name + "\" up)", err);
  }
  if (await_local_route && !wait_until([&] { return routed_locally(family, bytes, len); }, std::chrono::seconds(3))) {
    close(tun);
    throw EnvironmentFailure("waiting for the local route of " + address, ETIMEDOUT);
  }
  return tun;
}

int set_route_metrics(const std::string& name, int family, const std::string& address, int prefix,
                      const std::vector<std::pair<unsigned short, uint32_t>>& metrics) {
  rtmsg rm{};
  rm.rtm_family = static_cast<unsigned char>(family);
  rm.rtm_dst_len = static_cast<unsigned char>(prefix);
  rm.rtm_table = RT_TABLE_MAIN;
  rm.rtm_protocol = RTPROT_KERNEL;
  rm.rtm_scope = RT_SCOPE_LINK;
  rm.rtm_type = RTN_UNICAST;
  Request r = request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rm);
  unsigned char bytes[16] = {};
  inet_pton(family, address.c_str(), bytes);
  // The network, not the host: the route the kernel made when the address was added.
  const size_t len = family == AF_INET ? 4 : 16;
  for (size_t bit = static_cast<size_t>(prefix); bit < len * 8; ++bit) bytes[bit / 8] &= static_cast<unsigned char>(~(0x80 >> (bit % 8)));
  add_attribute(r, RTA_DST, bytes, len);
  const uint32_t index = if_nametoindex(name.c_str());
  add_attribute(r, RTA_OIF, &index, sizeof index);
  // IPv6's prefix routes have metric 256: another would be a second route beside it.
  const uint32_t priority = 256;
  if (family == AF_INET6) add_attribute(r, RTA_PRIORITY, &priority, sizeof priority);
  char nested[64];
  size_t used = 0;
  for (const auto& [type, value] : metrics) {
    auto* a = reinterpret_cast<rtattr*>(nested + used);
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(sizeof value);
    memcpy(RTA_DATA(a), &value, sizeof value);
    used += RTA_ALIGN(a->rta_len);
  }
  add_attribute(r, RTA_METRICS, nested, used);
  return transact(r, "RTM_NEWROUTE metrics on " + name);
}

}  // namespace sockspec
