// TCP_INFO as the kernel's uapi header lays it out (glibc's struct tcp_info
// stops before tcpi_data_segs_out); kept apart because <linux/tcp.h> and
// <netinet/tcp.h> cannot be included together.
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sockspec/tcp_info_full.h"

namespace sockspec {

bool read_tcp_info_full(int fd, TcpInfoFull* out) {
  struct tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return false;
  out->state = info.tcpi_state;
  out->probes = info.tcpi_probes;
  out->backoff = info.tcpi_backoff;
  out->unacked = info.tcpi_unacked;
  out->total_retrans = info.tcpi_total_retrans;
  out->rcv_space = info.tcpi_rcv_space;
  out->data_segs_out = info.tcpi_data_segs_out;
  out->data_segs_in = info.tcpi_data_segs_in;
  out->snd_wnd = info.tcpi_snd_wnd;
  out->notsent_bytes = info.tcpi_notsent_bytes;
  out->bytes_acked = info.tcpi_bytes_acked;
  out->advmss = info.tcpi_advmss;
  out->pmtu = info.tcpi_pmtu;
  return true;
}

}  // namespace sockspec
