// The TCP_INFO fields beyond glibc's struct tcp_info (tcpi_data_segs_out and later).
// Apart from tcp_info.h: its reader includes <linux/tcp.h>, which cannot
// be included together with <netinet/tcp.h>.
#pragma once

#include <cstdint>

namespace sockspec {

struct TcpInfoFull {
  uint32_t state = 0, probes = 0, backoff = 0, unacked = 0, total_retrans = 0, rcv_space = 0;
  uint32_t data_segs_out = 0, data_segs_in = 0, snd_wnd = 0, notsent_bytes = 0;
  uint64_t bytes_acked = 0;
  uint32_t advmss = 0, pmtu = 0;
};

// false when getsockopt(TCP_INFO) fails.
bool read_tcp_info_full(int fd, TcpInfoFull* out);

}  // namespace sockspec
