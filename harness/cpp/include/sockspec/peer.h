// A scripted peer: one end of a connection that is not a socket but segments
// the probe writes field by field, sent from a tun device in the probe's own
// network namespace, and the kernel's answers read back from it. There is no
// kernel stack behind the peer's address (the tun's far side is this process),
// so nothing answers the peer's segments but the probe.
//
// The peer's sends and receives are recorded events of the side "peer", like
// syscalls, so they sit on the timeline; the capture (tcpdump -i any) sees
// them on the tun device. Segments are built and parsed with libtins inside
// peer.cpp: this header stays free of it, so that a probe compiles fast.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sockspec/probe.h"
#include "sockspec/scenario.h"

namespace sockspec {

namespace tcp_flag {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20;
// RFC 3168 §6.1: ECN-Echo and Congestion Window Reduced.
constexpr uint8_t kEce = 0x40, kCwr = 0x80;
}

struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> wscale;
  bool sack_permitted = false;
  std::vector<std::pair<uint32_t, uint32_t>> sack;     // blocks: left edge, right edge
  std::optional<std::pair<uint32_t, uint32_t>> timestamp;  // TSval, TSecr
};

// A TCP segment as the peer writes it or reads it; ports in host byte order.
struct PeerSegment {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t flags = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t window = 65535;
  TcpOptions options;
  std::string payload;

  bool has(uint8_t flag) const { return (flags & flag) == flag; }
  // "SYN+ACK", "RST", "none": the flags as people write them (flow.Segment.label).
  std::string flag_names() const;
  // "SYN+ACK seq=1 ack=1001 win=65483 <mss 1460,sackOK,TS 5 7,wscale 7> len=0".
  std::string label() const;
  nlohmann::json to_json() const;
};

// One connection as the peer keeps it: its port, the kernel's end, and the
// next sequence numbers each way, so segments on it are written relative to
// where the connection is.
struct PeerFlow {
  uint16_t port = 0;      // the peer's
  SockAddr kernel;        // the kernel socket's address and port
  uint32_t snd_nxt = 0;   // the peer's next sequence number
  uint32_t rcv_nxt = 0;   // the next sequence number the kernel will send
  uint32_t kernel_window = 0;  // the kernel's last advertised window, unscaled
  // When timestamps were negotiated: the peer's next TSval and the last TSval it saw.
  std::optional<std::pair<uint32_t, uint32_t>> timestamps;
};

// Per-route values for the kernel's connections to the peer (its route's
// metrics): unset keeps the kernel's default.
struct PeerRoute {
  std::optional<uint32_t> rto_min_ms = {};  // RTAX_RTO_MIN: the retransmission timeout's floor
  std::optional<uint32_t> initcwnd = {};    // RTAX_INITCWND: the initial congestion window, in segments
};

class Peer {
 public:
  // Creates the tun device in this network namespace, puts the kernel's
  // address on it (192.0.2.1/24, 2001:db8::1/64 without DAD) and brings it up:
  // the peer's address (192.0.2.2, 2001:db8::2) is then routed to the tun.
  explicit Peer(Probe& p);
  ~Peer();
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // The kernel's own address on the peer's link, for its sockets to bind.
  SockAddr kernel_addr(uint16_t port = 0) const;
  SockAddr addr(uint16_t port) const;
  // Replaces the route to the peer with one carrying `route`'s metrics
  // (`ip route replace ... rto_min 1000ms initcwnd 4`); for connections made after it.
  void set_route(const PeerRoute& route);

  // Sends s from the peer's address to the kernel's (IPv4 or IPv6, the probe's family).
  void send(const PeerSegment& s);
  // Reads what the kernel sends to the peer until a TCP segment matches
  // pred or the deadline passes; every segment read is recorded and kept.
  std::optional<PeerSegment> receive(const std::function<bool(const PeerSegment&)>& pred,
                                     std::chrono::milliseconds deadline);
  // Every TCP segment the peer has read so far, in order.
  const std::vector<PeerSegment>& received() const { return received_; }

  // An active open from the peer's port to a kernel listener: SYN with
  // syn_options, the kernel's SYN+ACK, the ACK. The endpoints are observed
  // (client_addr: the peer, server_addr: the kernel) as establish() does.
  // Throws EnvironmentFailure when no SYN+ACK comes.
  PeerFlow connect(uint16_t port, const SockAddr& kernel, const TcpOptions& syn_options = {});
  // A segment on the flow: seq = snd_nxt, ack = rcv_nxt, the flow's timestamps.
  PeerSegment segment(const PeerFlow& flow, uint8_t flags, std::string payload = "") const;
  // Sends segment(flow, ACK|PSH, data) and advances snd_nxt.
  void send_data(PeerFlow& flow, const std::string& data);
  // Updates rcv_nxt, the window and TSecr from a segment the kernel sent on the flow.
  static void track(PeerFlow& flow, const PeerSegment& from_kernel);

  // Everything the kernel sent in answer to the segments before it is read:
  // a bare ACK to a closed port, and its RST, which the kernel sends after
  // whatever those segments made it send.
  void barrier();
  // For a segment that draws an answer on Linux: waits (up to 2 s) for the
  // kernel's first segment to `port` since received()[from], then barrier().
  // A stack that takes a tun write in later than the barrier's (gVisor)
  // would otherwise answer after "nothing more came".
  void answer_then_barrier(uint16_t port, size_t from);

 private:
  std::string send_text(const PeerSegment& s) const;

  Probe& probe_;
  int tun_ = -1;
  std::vector<PeerSegment> received_;
  uint32_t next_barrier_port_ = 0;
};

// The flags named as flag_names() writes them ("SYN+FIN", "none"); 0 for "none".
uint8_t tcp_flags_named(const std::string& names);

// socket(), bind() to the kernel's address on the peer's link (port 0),
// listen(backlog), getsockname(): a listener the peer can reach.
Listener listen_for_peer(Probe& p, const Peer& peer, int backlog);

// The peer connected to a kernel listener on the peer's link, and the socket
// the server accept()ed; the listener is closed.
struct PeerConnection {
  PeerFlow flow;
  UniqueFd server;
};
PeerConnection connect_peer(Probe& p, Peer& peer, const TcpOptions& syn_options = {});

// The kernel's active open to the peer: a non-blocking client socket, bound
// to the kernel's address on the peer's link, connect()s to the peer's port
// `port`, and the peer reads its SYN. The flow stands at that SYN: rcv_nxt is
// the kernel's ISS + 1, snd_nxt the peer's ISS, nothing sent yet. The
// endpoints are observed (client_addr: the kernel, server_addr: the peer).
// Throws EnvironmentFailure when no SYN comes.
struct KernelOpen {
  StartedConnect client;
  PeerFlow flow;
  PeerSegment syn;
};
KernelOpen syn_from_kernel(Probe& p, Peer& peer, uint16_t port = 6666);

// Answers the kernel's SYN with SYN+ACK (synack_options) and reads the
// kernel's ACK of it: the flow is then synchronized (snd_nxt past the SYN).
// Throws EnvironmentFailure when no ACK comes.
void accept_from_kernel(Peer& peer, KernelOpen& open, const TcpOptions& synack_options = {});

// How the kernel's pending connect() stands after the peer's answers: the
// client poll()s for POLLOUT (up to `deadline`, none when it completed), and
// "poll_outcome", "so_error" and "client_state" (TCP_INFO) are observed.
void observe_connect_end(Probe& p, const KernelOpen& open, std::chrono::milliseconds deadline);

// The flags (flag_names()) of the segments the peer read on the peer's port
// `port` since received()[from]: what the kernel answered, without its
// sequence numbers (random per connection).
nlohmann::json answers_since(const Peer& peer, size_t from, uint16_t port);

// Whether the kernel acknowledged up to `end` on flow, in what the peer read
// since received()[from] or, waiting up to deadline, after: on a stack that
// takes a tun write in later (gVisor), the barrier does not say data arrived.
bool acknowledged(Peer& peer, size_t from, const PeerFlow& flow, uint32_t end, std::chrono::milliseconds deadline);

// A passive open the peer drives by hand: a flow from the peer's `port` to
// the listener, not yet synchronized (snd_nxt and rcv_nxt 0).
PeerFlow flow_to(const Listener& listener, uint16_t port);
// Sends a SYN on flow with seq `iss`, extra `flags` (ECE, CWR) and `payload`,
// and reads the kernel's SYN+ACK to it; none when the deadline passes first.
std::optional<PeerSegment> send_syn(Peer& peer, const PeerFlow& flow, uint32_t iss, uint8_t flags = 0,
                                    std::string payload = "",
                                    std::chrono::milliseconds deadline = std::chrono::seconds(3));

// A segment the kernel sent on flow (its ports), with all of `flags` set.
std::function<bool(const PeerSegment&)> on_flow(const PeerFlow& flow, uint8_t flags = 0);

// The kernel as sender: reads its data segments on flow (retransmissions
// too) until `count` have come or the deadline passes, each tracked (rcv_nxt,
// window); returns those that came, in order.
std::vector<PeerSegment> receive_data(Peer& peer, PeerFlow& flow, size_t count, std::chrono::milliseconds deadline);

// The kernel as sender, its first flight read: the peer connects with MSS
// `mss` (SACK permitted when `sack`), the server send()s `bytes` and the peer
// reads them, never acknowledging: how many segments came is observed as
// "segments_sent". Sequence numbers relative to kernel_isn start at 1.
struct PeerFlight {
  PeerConnection c;
  uint32_t kernel_isn = 0;
};
PeerFlight first_flight(Probe& p, Peer& peer, uint16_t mss, bool sack, size_t bytes);

// The first of `segments` as an observation, {"seq": relative to `isn`, "len"}, or "none".
nlohmann::json first_relative(const std::vector<PeerSegment>& segments, uint32_t isn);

// Sends a bare ACK on flow acknowledging `ack` with window `window` (unscaled):
// a cumulative ACK, a duplicate ACK or a window update, as the numbers make it.
void send_ack(Peer& peer, const PeerFlow& flow, uint32_t ack, uint16_t window = 65535,
              std::vector<std::pair<uint32_t, uint32_t>> sack = {});

}  // namespace sockspec
