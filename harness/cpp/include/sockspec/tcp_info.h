// What getsockopt(TCP_INFO) tells about a TCP socket we hold: its state, a
// listener's accept queue, and the counters the data probes reason about.
#pragma once

#include <netinet/tcp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "sockspec/json.h"

#include "sockspec/tcp_info_full.h"

namespace sockspec {

std::optional<tcp_info> read_tcp_info(int fd);

// The socket's state ("ESTABLISHED", "CLOSE-WAIT"), or unobservable with the
// reason where getsockopt(TCP_INFO) fails. The one way probes read the state
// of a socket they hold.
nlohmann::json tcp_state(int fd);

// Waits until tcp_state(fd) is `state` (or the deadline passes); returns
// whether it is, or at once unobservable where TCP_INFO fails.
nlohmann::json wait_tcp_state(int fd, const std::string& state, std::chrono::milliseconds deadline);

// TCP_INFO fields the data probes reason about, as a JSON object: state,
// unacked, data_segs_out/in, total_retrans, snd_wnd, notsent_bytes,
// bytes_acked, probes, backoff; unobservable where TCP_INFO fails.
nlohmann::json tcp_info_json(int fd);

// TCP_INFO's congestion control fields, as a JSON object: rtt_us and rttvar_us
// (the smoothed round-trip time and its variation, in microseconds; 0 before
// any sample), snd_cwnd and snd_ssthresh (segments), snd_mss, unacked
// (segments in flight), retransmits (timeouts in a row), total_retrans,
// ca_state; unobservable where TCP_INFO fails.
nlohmann::json tcp_congestion_json(int fd);

// For a listening TCP socket, Linux reports in TCP_INFO the number of
// connections waiting in the accept queue (tcpi_unacked) and the queue's
// limit, the backlog after the somaxconn cap (tcpi_sacked). A stack that
// answers TCP_INFO without those fields (gVisor fills only the state and
// the timers) leaves `unobservable` saying so; `valid` is false then.
struct ListenerQueue {
  uint32_t queued = 0;
  uint32_t backlog = 0;
  bool valid = false;
  std::string unobservable;  // why the queue cannot be read, when !valid

  // queued / backlog as an observation: the number, or {"unobservable": reason}.
  nlohmann::json queued_json() const;
  nlohmann::json backlog_json() const;
};
ListenerQueue read_listener_queue(int fd);

// Waits until the listener's accept queue holds `n` connections: true, false
// at the deadline, or at once unobservable where the queue cannot be read.
nlohmann::json wait_listener_queued(int fd, uint32_t n, std::chrono::milliseconds deadline);

}  // namespace sockspec
