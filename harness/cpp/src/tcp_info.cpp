#include "sockspec/tcp_info.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstddef>

#include "sockspec/names.h"
#include "sockspec/observed.h"
#include "sockspec/wait.h"

namespace sockspec {

std::optional<tcp_info> read_tcp_info(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  return info;
}

nlohmann::json tcp_state(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return unobservable(std::string("getsockopt(TCP_INFO) failed with ") + errno_name(errno));
  return tcp_state_name(info.tcpi_state);
}

nlohmann::json wait_tcp_state(int fd, const std::string& state, std::chrono::milliseconds deadline) {
  return wait_observed([&] { return holds(tcp_state(fd), [&](const nlohmann::json& s) { return s == state; }); },
                       deadline);
}

nlohmann::json tcp_info_json(int fd) {
  TcpInfoFull i;
  if (!read_tcp_info_full(fd, &i)) return unobservable(std::string("getsockopt(TCP_INFO) failed with ") + errno_name(errno));
  nlohmann::json counters = {{"unacked", i.unacked},
          {"data_segs_out", i.data_segs_out}, {"data_segs_in", i.data_segs_in},
          {"total_retrans", i.total_retrans}, {"snd_wnd", i.snd_wnd},
          {"notsent_bytes", i.notsent_bytes}, {"bytes_acked", i.bytes_acked},
          {"probes", i.probes},   {"backoff", i.backoff}};
  // Linux sets the advertised MSS and the path MTU of every connection it has
  // started; gVisor fills only the state and the timers and leaves the rest 0,
  // which would read as counters that never moved.
  if (i.state != 10 /* TCP_LISTEN */ && i.advmss == 0 && i.pmtu == 0) {
    for (auto& value : counters)
      value = unobservable("TCP_INFO on this stack fills only the state and timers (tcpi_advmss and tcpi_pmtu are 0)");
  }
  counters["state"] = tcp_state_name(i.state);
  return counters;
}

nlohmann::json tcp_congestion_json(int fd) {
  const std::optional<tcp_info> i = read_tcp_info(fd);
  if (!i) return unobservable(std::string("getsockopt(TCP_INFO) failed with ") + errno_name(errno));
  return {{"rtt_us", i->tcpi_rtt}, {"rttvar_us", i->tcpi_rttvar},   {"snd_cwnd", i->tcpi_snd_cwnd},
          {"snd_ssthresh", i->tcpi_snd_ssthresh}, {"snd_mss", i->tcpi_snd_mss}, {"unacked", i->tcpi_unacked},
          {"retransmits", i->tcpi_retransmits}, {"total_retrans", i->tcpi_total_retrans},
          {"ca_state", i->tcpi_ca_state}};
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

nlohmann::json wait_listener_queued(int fd, uint32_t n, std::chrono::milliseconds deadline) {
  return wait_observed([&] {
    const ListenerQueue q = read_listener_queue(fd);
    return q.valid ? nlohmann::json(q.queued >= n) : q.queued_json();
  }, deadline);
}

}  // namespace sockspec
