#include "sockspec/tcp_data_util.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "sockspec/tcp_data_tcpinfo.h"

namespace sockspec {

nlohmann::json tcp_info_json(int fd) {
  TcpInfoFull i;
  if (!read_tcp_info_full(fd, &i)) return nullptr;
  return {{"state", tcp_state_name(i.state)}, {"unacked", i.unacked},
          {"data_segs_out", i.data_segs_out}, {"data_segs_in", i.data_segs_in},
          {"total_retrans", i.total_retrans}, {"snd_wnd", i.snd_wnd},
          {"notsent_bytes", i.notsent_bytes}, {"bytes_acked", i.bytes_acked},
          {"probes", i.probes},   {"backoff", i.backoff}};
}

static long queue_ioctl(Actor& a, int fd, unsigned long req, const char* name) {
  int value = -1;
  SysResult r = a.record("ioctl", {{"fd", fd}, {"request", name}},
                         "ioctl(" + std::to_string(fd) + ", " + name + ")",
                         [&] { return ::ioctl(fd, req, &value); },
                         [&](long) { return nlohmann::json(value); });
  return r.ok() ? value : -1;
}

long inq(Actor& a, int fd) { return queue_ioctl(a, fd, SIOCINQ, "SIOCINQ"); }
long outq(Actor& a, int fd) { return queue_ioctl(a, fd, SIOCOUTQ, "SIOCOUTQ"); }

long long tcpext(const std::string& name) { return read_net_counter("TcpExt", name).value_or(0); }

}  // namespace sockspec
