#include "sockspec/rto_min.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sockspec/fd.h"
#include "sockspec/names.h"
#include "sockspec/observed.h"

namespace sockspec {
namespace {

const char kSysctl[] = "/proc/sys/net/ipv4/tcp_rto_min_us";

// One rtnetlink request: a header, an rtmsg and attributes, as the kernel reads them.
class RouteRequest {
 public:
  RouteRequest(uint16_t type, uint16_t flags, const rtmsg& rt) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    append(&h, sizeof h);
    append(&rt, sizeof rt);
  }
  void attr(uint16_t type, const void* data, size_t len) {
    rtattr a{static_cast<uint16_t>(RTA_LENGTH(len)), type};
    append(&a, sizeof a);
    append(data, len);
  }
  void attr_u32(uint16_t type, uint32_t value) { attr(type, &value, sizeof value); }
  // RTA_METRICS holds rtattrs of its own: the metric, and its lock bit.
  void locked_rto_min(uint32_t ms) {
    RouteRequest metrics;
    metrics.attr_u32(RTAX_LOCK, 1u << RTAX_RTO_MIN);
    metrics.attr_u32(RTAX_RTO_MIN, ms);
    attr(RTA_METRICS, metrics.bytes_.data(), metrics.bytes_.size());
  }
  // 0, or the errno the kernel answered with.
  int send() {
    reinterpret_cast<nlmsghdr*>(bytes_.data())->nlmsg_len = static_cast<uint32_t>(bytes_.size());
    UniqueFd nl(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!nl) return errno;
    // A stack that takes the request but never answers must not hang the probe.
    const timeval answer_within{2, 0};
    setsockopt(nl.get(), SOL_SOCKET, SO_RCVTIMEO, &answer_within, sizeof answer_within);
    if (::send(nl.get(), bytes_.data(), bytes_.size(), 0) < 0) return errno;
    alignas(nlmsghdr) char reply[4096];
    const ssize_t n = recv(nl.get(), reply, sizeof reply, 0);
    if (n < 0) return errno;
    const auto* h = reinterpret_cast<const nlmsghdr*>(reply);
    if (!NLMSG_OK(h, static_cast<uint32_t>(n)) || h->nlmsg_type != NLMSG_ERROR) return EPROTO;
    return -reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
  }

 private:
  RouteRequest() = default;
  void append(const void* data, size_t len) {
    const auto* p = static_cast<const char*>(data);
    bytes_.insert(bytes_.end(), p, p + len);
    bytes_.resize(NLMSG_ALIGN(bytes_.size()));
  }
  std::vector<char> bytes_;
};

rtmsg local_route(int af, int prefix) {
  rtmsg rt{};
  rt.rtm_family = static_cast<unsigned char>(af);
  rt.rtm_dst_len = static_cast<unsigned char>(prefix);
  rt.rtm_table = RT_TABLE_LOCAL;
  rt.rtm_protocol = RTPROT_KERNEL;
  rt.rtm_scope = RT_SCOPE_HOST;
  rt.rtm_type = RTN_LOCAL;
  return rt;
}

// The routes `ip link set lo up` made, again, with the locked floor:
// local 127.0.0.1 and 127.0.0.0/8 (replaced in place), local ::1 (IPv6
// replaces a route only at its metric, and a metric of 0 cannot be asked
// for, so it is deleted and added again).
int set_route_floor(Family family, uint32_t ms) {
  const uint32_t lo = if_nametoindex("lo");
  if (family == Family::kInet) {
    in_addr host{}, net{};
    inet_pton(AF_INET, "127.0.0.1", &host);
    inet_pton(AF_INET, "127.0.0.0", &net);
    for (auto [dst, prefix] : {std::pair{host, 32}, std::pair{net, 8}}) {
      RouteRequest r(RTM_NEWROUTE, NLM_F_REPLACE, local_route(AF_INET, prefix));
      r.attr(RTA_DST, &dst, sizeof dst);
      r.attr(RTA_PREFSRC, &host, sizeof host);
      r.attr_u32(RTA_OIF, lo);
      r.locked_rto_min(ms);
      if (int err = r.send()) return err;
    }
    return 0;
  }
  const in6_addr loopback = IN6ADDR_LOOPBACK_INIT;
  auto request = [&](uint16_t type, uint16_t flags) {
    RouteRequest r(type, flags, local_route(AF_INET6, 128));
    r.attr(RTA_DST, &loopback, sizeof loopback);
    r.attr_u32(RTA_OIF, lo);
    return r;
  };
  if (int err = request(RTM_DELROUTE, 0).send()) return err;
  RouteRequest add = request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  add.locked_rto_min(ms);
  const int err = add.send();
  // Without a local route ::1 would be unreachable: put the plain one back.
  if (err) request(RTM_NEWROUTE, NLM_F_CREATE).send();
  return err;
}

}  // namespace

nlohmann::json set_loopback_rto_min(Family family, std::chrono::milliseconds floor) {
  {
    std::ofstream sysctl(kSysctl);
    if (sysctl && (sysctl << floor.count() * 1000 << std::flush)) return "net.ipv4.tcp_rto_min_us";
  }
  const int err = set_route_floor(family, static_cast<uint32_t>(floor.count()));
  if (err == 0) return "route rto_min";
  return unobservable("neither net.ipv4.tcp_rto_min_us nor a loopback route's rto_min can be set here (" +
                      errno_name(err) + ")");
}

RtoMinFlag::RtoMinFlag(Probe& probe) {
  probe.option("--rto-min-ms", ms_, "the loopback connections' minimum retransmission timeout (0: the stack's own)")
      .range(0, 10000);
}

nlohmann::json RtoMinFlag::apply(const Probe& p) const {
  if (ms_ == 0) return "the stack's own";
  return set_loopback_rto_min(p.family(), std::chrono::milliseconds(ms_));
}

}  // namespace sockspec
