#include "sockspec/peer.h"

#include <poll.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>

#include <cerrno>

#include "sockspec/calls.h"
#include "sockspec/names.h"
#include "sockspec/scenario.h"
#include "sockspec/tcp_info.h"
#include "tun_link.h"

namespace sockspec {

namespace {

constexpr const char* kTunName = "sspeer0";
constexpr const char* kKernelIp4 = "192.0.2.1";
constexpr const char* kPeerIp4 = "192.0.2.2";
constexpr const char* kKernelIp6 = "2001:db8::1";
constexpr const char* kPeerIp6 = "2001:db8::2";
// A closed port on the kernel's side: a bare ACK to it draws an RST (barrier()).
constexpr uint16_t kClosedPort = 9;
constexpr uint16_t kBarrierPorts = 40000;

Tins::TCP to_tins(const PeerSegment& s) {
  Tins::TCP tcp(s.dport, s.sport);
  tcp.flags(s.flags);
  tcp.seq(s.seq);
  tcp.ack_seq(s.ack);
  tcp.window(s.window);
  if (s.options.mss) tcp.mss(*s.options.mss);
  if (s.options.sack_permitted) tcp.sack_permitted();
  if (s.options.timestamp) tcp.timestamp(s.options.timestamp->first, s.options.timestamp->second);
  if (s.options.wscale) tcp.winscale(*s.options.wscale);
  if (!s.options.sack.empty()) {
    Tins::TCP::sack_type edges;
    for (const auto& [left, right] : s.options.sack) {
      edges.push_back(left);
      edges.push_back(right);
    }
    tcp.sack(edges);
  }
  return tcp;
}

PeerSegment from_tins(const Tins::TCP& tcp) {
  PeerSegment s;
  s.sport = tcp.sport();
  s.dport = tcp.dport();
  s.flags = static_cast<uint8_t>(tcp.flags() & 0xff);
  s.seq = tcp.seq();
  s.ack = tcp.ack_seq();
  s.window = tcp.window();
  if (tcp.search_option(Tins::TCP::MSS)) s.options.mss = tcp.mss();
  if (tcp.search_option(Tins::TCP::WSCALE)) s.options.wscale = tcp.winscale();
  s.options.sack_permitted = tcp.has_sack_permitted();
  if (tcp.search_option(Tins::TCP::TSOPT)) s.options.timestamp = tcp.timestamp();
  if (tcp.search_option(Tins::TCP::SACK)) {
    const auto edges = tcp.sack();
    for (size_t i = 0; i + 1 < edges.size(); i += 2) s.options.sack.emplace_back(edges[i], edges[i + 1]);
  }
  if (const auto* raw = tcp.find_pdu<Tins::RawPDU>()) s.payload.assign(raw->payload().begin(), raw->payload().end());
  return s;
}

// The TCP segment inside an IP packet read from the tun, if it is one.
std::optional<PeerSegment> parse(const uint8_t* buf, size_t len) {
  if (len == 0) return std::nullopt;
  try {
    if (buf[0] >> 4 == 4) {
      Tins::IP ip(buf, static_cast<uint32_t>(len));
      if (const auto* tcp = ip.find_pdu<Tins::TCP>()) return from_tins(*tcp);
    } else if (buf[0] >> 4 == 6) {
      Tins::IPv6 ip(buf, static_cast<uint32_t>(len));
      if (const auto* tcp = ip.find_pdu<Tins::TCP>()) return from_tins(*tcp);
    }
  } catch (const Tins::exception_base&) {
    // Not a packet libtins can read (none the kernel should send): not the peer's.
  }
  return std::nullopt;
}

}  // namespace

std::string PeerSegment::flag_names() const {
  static const std::pair<uint8_t, const char*> names[] = {
      {tcp_flag::kSyn, "SYN"}, {tcp_flag::kFin, "FIN"}, {tcp_flag::kRst, "RST"},
      {tcp_flag::kPsh, "PSH"}, {tcp_flag::kUrg, "URG"}, {tcp_flag::kAck, "ACK"},
      {tcp_flag::kEce, "ECE"}, {tcp_flag::kCwr, "CWR"}};
  std::string out;
  for (const auto& [bit, name] : names)
    if (flags & bit) out += (out.empty() ? "" : "+") + std::string(name);
  return out.empty() ? "none" : out;
}

std::string PeerSegment::label() const {
  std::string out = flag_names() + " seq=" + std::to_string(seq) + " ack=" + std::to_string(ack) +
                    " win=" + std::to_string(window);
  std::string opts;
  auto add = [&](const std::string& o) { opts += (opts.empty() ? "" : ",") + o; };
  if (options.mss) add("mss " + std::to_string(*options.mss));
  if (options.sack_permitted) add("sackOK");
  if (options.timestamp)
    add("TS " + std::to_string(options.timestamp->first) + " " + std::to_string(options.timestamp->second));
  if (options.wscale) add("wscale " + std::to_string(*options.wscale));
  for (const auto& [l, r] : options.sack) add("sack " + std::to_string(l) + ":" + std::to_string(r));
  if (!opts.empty()) out += " <" + opts + ">";
  return out + " len=" + std::to_string(payload.size());
}

nlohmann::json PeerSegment::to_json() const {
  nlohmann::json j = {{"sport", sport}, {"dport", dport}, {"flags", flag_names()}, {"seq", seq},
                      {"ack", ack}, {"win", window}, {"len", payload.size()}};
  if (options.timestamp) j["ts"] = {options.timestamp->first, options.timestamp->second};
  return j;
}

Peer::Peer(Probe& p) : probe_(p) {
  const bool v4 = p.af() == AF_INET;
  Actor& peer = p.actor("peer");
  tun_ = static_cast<int>(peer.record("tun", {{"name", kTunName}},
      std::string("open tun ") + kTunName + " with " + (v4 ? kKernelIp4 : kKernelIp6) + (v4 ? "/24" : "/64") +
          "; the peer is " + (v4 ? kPeerIp4 : kPeerIp6),
      [&] { return open_tun_link(kTunName, p.af(), v4 ? kKernelIp4 : kKernelIp6, v4 ? 24 : 64); }).must());
}

Peer::~Peer() {
  if (tun_ >= 0) close(tun_);
}

SockAddr Peer::kernel_addr(uint16_t port) const {
  SockAddr a;
  SockAddr::parse(probe_.af() == AF_INET ? kKernelIp4 : kKernelIp6, port, &a);
  return a;
}

SockAddr Peer::addr(uint16_t port) const {
  SockAddr a;
  SockAddr::parse(probe_.af() == AF_INET ? kPeerIp4 : kPeerIp6, port, &a);
  return a;
}

void Peer::set_route(const PeerRoute& route) {
  const bool v4 = probe_.af() == AF_INET;
  std::vector<std::pair<unsigned short, uint32_t>> metrics;
  std::string text = std::string("ip route replace ") + (v4 ? "192.0.2.0/24" : "2001:db8::/64") + " dev " + kTunName;
  nlohmann::json args = nlohmann::json::object();
  if (route.rto_min_ms) {
    metrics.emplace_back(RTAX_RTO_MIN, *route.rto_min_ms);
    // tcp_rto_min() takes the route's value only when it is locked, as ip route's rto_min does.
    metrics.emplace_back(RTAX_LOCK, 1u << RTAX_RTO_MIN);
    text += " rto_min " + std::to_string(*route.rto_min_ms) + "ms";
    args["rto_min_ms"] = *route.rto_min_ms;
  }
  if (route.initcwnd) {
    metrics.emplace_back(RTAX_INITCWND, *route.initcwnd);
    text += " initcwnd " + std::to_string(*route.initcwnd);
    args["initcwnd"] = *route.initcwnd;
  }
  const int err = set_route_metrics(kTunName, probe_.af(), v4 ? kKernelIp4 : kKernelIp6, v4 ? 24 : 64, metrics);
  probe_.actor("peer").record("route", args, text, [&] { errno = err; return err ? -1 : 0; }).must();
}

void Peer::send(const PeerSegment& s) {
  Tins::PDU::serialization_type bytes;
  if (probe_.af() == AF_INET) {
    Tins::IP ip = Tins::IP(kKernelIp4, kPeerIp4) / to_tins(s);
    if (!s.payload.empty()) ip /= Tins::RawPDU(s.payload);
    bytes = ip.serialize();
  } else {
    Tins::IPv6 ip = Tins::IPv6(kKernelIp6, kPeerIp6) / to_tins(s);
    if (!s.payload.empty()) ip /= Tins::RawPDU(s.payload);
    bytes = ip.serialize();
  }
  probe_.actor("peer").record("send", s.to_json(), "send " + s.label(),
      [&] { return write(tun_, bytes.data(), bytes.size()); }).must();
}

std::optional<PeerSegment> Peer::receive(const std::function<bool(const PeerSegment&)>& pred,
                                         std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  uint8_t buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    pollfd pfd{tun_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) return std::nullopt;
    const ssize_t n = read(tun_, buf, sizeof buf);
    if (n < 0) throw EnvironmentFailure("read(tun)", errno);
    std::optional<PeerSegment> s = parse(buf, static_cast<size_t>(n));
    if (!s) continue;  // IPv6 neighbour and multicast messages: not the peer's business
    probe_.actor("peer").record("recv", s->to_json(), "recv", [&] { return n; },
                                [&](long) { return nlohmann::json{{"segment", s->label()}}; });
    received_.push_back(*s);
    if (pred(*s)) return s;
  }
}

PeerFlow Peer::connect(uint16_t port, const SockAddr& kernel, const TcpOptions& syn_options) {
  PeerFlow flow;
  flow.port = port;
  flow.kernel = kernel;
  const uint32_t iss = 1000000;
  PeerSegment syn;
  syn.sport = port;
  syn.dport = kernel.port();
  syn.flags = tcp_flag::kSyn;
  syn.seq = iss;
  syn.options = syn_options;
  send(syn);
  std::optional<PeerSegment> synack = receive(on_flow(flow, tcp_flag::kSyn | tcp_flag::kAck), std::chrono::seconds(3));
  if (!synack) throw EnvironmentFailure("the kernel's SYN+ACK to the peer's SYN", ETIMEDOUT);
  flow.snd_nxt = iss + 1;
  if (syn_options.timestamp && synack->options.timestamp)
    flow.timestamps = std::make_pair(syn_options.timestamp->first + 1, synack->options.timestamp->first);
  track(flow, *synack);
  send(segment(flow, tcp_flag::kAck));
  observe_endpoints(probe_, addr(port), kernel);
  return flow;
}

PeerSegment Peer::segment(const PeerFlow& flow, uint8_t flags, std::string payload) const {
  PeerSegment s;
  s.sport = flow.port;
  s.dport = flow.kernel.port();
  s.flags = flags;
  s.seq = flow.snd_nxt;
  s.ack = flow.rcv_nxt;
  s.payload = std::move(payload);
  if (flow.timestamps) s.options.timestamp = flow.timestamps;
  return s;
}

void Peer::send_data(PeerFlow& flow, const std::string& data) {
  send(segment(flow, tcp_flag::kAck | tcp_flag::kPsh, data));
  flow.snd_nxt += static_cast<uint32_t>(data.size());
  if (flow.timestamps) flow.timestamps->first += 1;
}

void Peer::track(PeerFlow& flow, const PeerSegment& k) {
  const uint32_t end = k.seq + static_cast<uint32_t>(k.payload.size()) + (k.has(tcp_flag::kSyn) ? 1 : 0) +
                       (k.has(tcp_flag::kFin) ? 1 : 0);
  if (k.has(tcp_flag::kSyn) || static_cast<int32_t>(end - flow.rcv_nxt) > 0) flow.rcv_nxt = end;
  flow.kernel_window = k.window;
  if (flow.timestamps && k.options.timestamp) flow.timestamps->second = k.options.timestamp->first;
}

void Peer::barrier() {
  PeerSegment ack;
  ack.sport = static_cast<uint16_t>(kBarrierPorts + next_barrier_port_++);
  ack.dport = kClosedPort;
  ack.flags = tcp_flag::kAck;
  ack.seq = 1;
  ack.ack = 1;
  send(ack);
  const uint16_t port = ack.sport;
  if (!receive([&](const PeerSegment& s) { return s.dport == port && s.has(tcp_flag::kRst); }, std::chrono::seconds(3)))
    throw EnvironmentFailure("the kernel's RST to the barrier's ACK", ETIMEDOUT);
}

void Peer::answer_then_barrier(uint16_t port, size_t from) {
  auto to_port = [port](const PeerSegment& s) { return s.dport == port; };
  bool answered = false;
  for (size_t i = from; i < received().size() && !answered; ++i) answered = to_port(received()[i]);
  if (!answered) receive(to_port, std::chrono::seconds(2));
  barrier();
}

uint8_t tcp_flags_named(const std::string& names) {
  static const std::pair<const char*, uint8_t> bits[] = {
      {"SYN", tcp_flag::kSyn}, {"FIN", tcp_flag::kFin}, {"RST", tcp_flag::kRst},
      {"PSH", tcp_flag::kPsh}, {"ACK", tcp_flag::kAck}, {"URG", tcp_flag::kUrg},
      {"ECE", tcp_flag::kEce}, {"CWR", tcp_flag::kCwr}};
  uint8_t flags = 0;
  for (const auto& [name, bit] : bits)
    if (("+" + names + "+").find("+" + std::string(name) + "+") != std::string::npos) flags |= bit;
  return flags;
}

Listener listen_for_peer(Probe& p, const Peer& peer, int backlog) {
  Actor& server = p.server();
  Listener l;
  l.fd = server.socket(p.af(), SOCK_STREAM).fd();
  server.bind(l.fd.get(), peer.kernel_addr()).must();
  server.listen(l.fd.get(), backlog).must();
  server.getsockname(l.fd.get(), &l.addr).must();
  return l;
}

PeerConnection connect_peer(Probe& p, Peer& peer, const TcpOptions& syn_options) {
  Listener listener = listen_for_peer(p, peer, 1);
  PeerConnection c;
  c.flow = peer.connect(5555, listener.addr, syn_options);
  c.server = p.server().accept(listener.fd.get()).fd();
  p.server().close(listener.fd);
  return c;
}

KernelOpen syn_from_kernel(Probe& p, Peer& peer, uint16_t port) {
  const SockAddr local = peer.kernel_addr();
  KernelOpen open{start_connect(p.client(), peer.addr(port), &local), {}, {}};
  open.flow.port = port;
  open.flow.kernel = open.client.local;
  observe_endpoints(p, open.client.local, peer.addr(port));
  std::optional<PeerSegment> syn = peer.receive(on_flow(open.flow, tcp_flag::kSyn), std::chrono::seconds(3));
  if (!syn) throw EnvironmentFailure("the kernel's SYN to the peer", ETIMEDOUT);
  open.syn = *syn;
  const uint32_t peer_iss = 2000000;
  open.flow.snd_nxt = peer_iss;
  Peer::track(open.flow, *syn);
  return open;
}

void accept_from_kernel(Peer& peer, KernelOpen& open, const TcpOptions& synack_options) {
  PeerSegment synack = peer.segment(open.flow, tcp_flag::kSyn | tcp_flag::kAck);
  synack.options = synack_options;
  peer.send(synack);
  open.flow.snd_nxt += 1;
  // Timestamps negotiated: the peer's later segments carry them, as after Peer::connect().
  if (synack_options.timestamp && open.syn.options.timestamp)
    open.flow.timestamps = std::make_pair(synack_options.timestamp->first + 1, open.syn.options.timestamp->first);
  const uint32_t synced = open.flow.snd_nxt;
  const auto on = on_flow(open.flow, tcp_flag::kAck);
  if (!peer.receive([&](const PeerSegment& s) { return on(s) && s.ack == synced; }, std::chrono::seconds(3)))
    throw EnvironmentFailure("the kernel's ACK of the peer's SYN+ACK", ETIMEDOUT);
}

void observe_connect_end(Probe& p, const KernelOpen& open, std::chrono::milliseconds deadline) {
  short revents = 0;
  p.client().poll(open.client.fd.get(), POLLOUT, static_cast<int>(deadline.count()), &revents);
  p.observe("poll_outcome", poll_events_name(revents));
  p.observe("so_error", pending_error(p.client(), open.client.fd.get()));
  p.observe("client_state", tcp_state(open.client.fd.get()));
}

nlohmann::json answers_since(const Peer& peer, size_t from, uint16_t port) {
  nlohmann::json flags = nlohmann::json::array();
  for (size_t i = from; i < peer.received().size(); ++i)
    if (peer.received()[i].dport == port) flags.push_back(peer.received()[i].flag_names());
  return flags;
}

bool acknowledged(Peer& peer, size_t from, const PeerFlow& flow, uint32_t end, std::chrono::milliseconds deadline) {
  const auto on = on_flow(flow, tcp_flag::kAck);
  auto acks_end = [&](const PeerSegment& s) { return on(s) && static_cast<int32_t>(s.ack - end) >= 0; };
  for (size_t i = from; i < peer.received().size(); ++i)
    if (acks_end(peer.received()[i])) return true;
  return peer.receive(acks_end, deadline).has_value();
}

PeerFlow flow_to(const Listener& listener, uint16_t port) {
  PeerFlow flow;
  flow.port = port;
  flow.kernel = listener.addr;
  return flow;
}

std::optional<PeerSegment> send_syn(Peer& peer, const PeerFlow& flow, uint32_t iss, uint8_t flags, std::string payload,
                                    std::chrono::milliseconds deadline) {
  PeerSegment syn;
  syn.sport = flow.port;
  syn.dport = flow.kernel.port();
  syn.flags = static_cast<uint8_t>(tcp_flag::kSyn | flags);
  syn.seq = iss;
  syn.payload = std::move(payload);
  peer.send(syn);
  return peer.receive(on_flow(flow, tcp_flag::kSyn | tcp_flag::kAck), deadline);
}

std::function<bool(const PeerSegment&)> on_flow(const PeerFlow& flow, uint8_t flags) {
  const uint16_t port = flow.port, kernel_port = flow.kernel.port();
  return [=](const PeerSegment& s) { return s.dport == port && s.sport == kernel_port && s.has(flags); };
}

std::vector<PeerSegment> receive_data(Peer& peer, PeerFlow& flow, size_t count, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::vector<PeerSegment> data;
  while (data.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const std::function<bool(const PeerSegment&)> on = on_flow(flow);
    std::optional<PeerSegment> s = peer.receive([&](const PeerSegment& k) { return on(k) && !k.payload.empty(); }, left);
    if (!s) break;
    Peer::track(flow, *s);
    data.push_back(*s);
  }
  return data;
}

PeerFlight first_flight(Probe& p, Peer& peer, uint16_t mss, bool sack, size_t bytes) {
  TcpOptions syn;
  syn.mss = mss;
  syn.sack_permitted = sack;
  PeerFlight f{connect_peer(p, peer, syn)};
  f.kernel_isn = f.c.flow.rcv_nxt - 1;
  p.server().send(f.c.server.get(), std::string(bytes, 'f')).must();
  const size_t segments = (bytes + mss - 1) / mss;
  p.observe("segments_sent", receive_data(peer, f.c.flow, segments, std::chrono::seconds(3)).size());
  return f;
}

nlohmann::json first_relative(const std::vector<PeerSegment>& segments, uint32_t isn) {
  if (segments.empty()) return "none";
  return {{"seq", segments[0].seq - isn}, {"len", segments[0].payload.size()}};
}

void send_ack(Peer& peer, const PeerFlow& flow, uint32_t ack, uint16_t window,
              std::vector<std::pair<uint32_t, uint32_t>> sack) {
  PeerSegment s = peer.segment(flow, tcp_flag::kAck);
  s.ack = ack;
  s.window = window;
  s.options.sack = std::move(sack);
  peer.send(s);
}

}  // namespace sockspec
