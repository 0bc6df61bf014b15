// Steps the data-transfer and option probes share: a listener on a fixed port
// (so a test's fault rule can name it), recorded setsockopt() calls that take a
// struct, TCP_INFO fields and the receive/send queue lengths as observations.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sockspec/scenario.h"

namespace sockspec {

// TCP_INFO fields the data probes reason about, as a JSON object:
// state, unacked, data_segs_out/in, total_retrans, snd_wnd, notsent_bytes, bytes_acked, probes, backoff.
nlohmann::json tcp_info_json(int fd);

// Bytes waiting to be read (SIOCINQ) or not yet acknowledged (SIOCOUTQ), recorded as ioctl() calls.
long inq(Actor& a, int fd);
long outq(Actor& a, int fd);

// A TcpExt counter of this namespace (0 when absent), e.g. "DelayedACKs".
long long tcpext(const std::string& name);


}  // namespace sockspec
