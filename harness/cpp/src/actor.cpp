#include "sockspec/actor.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

#include "sockspec/names.h"

namespace sockspec {

EnvironmentFailure::EnvironmentFailure(const std::string& call, int err)
    : std::runtime_error(call + " failed: " + errno_name(err)), call_(call), err_(err) {}

std::string outcome(const SysResult& r) { return r.ok() ? "ok" : errno_name(r.err); }

std::string ret_or_errno(const SysResult& r) { return r.ok() ? std::to_string(r.ret) : errno_name(r.err); }

long SysResult::must() const {
  if (ret < 0) throw EnvironmentFailure(text, err);
  return ret;
}

namespace {
std::string quoted(const std::string& data) {
  // Short payloads in full, long ones by size: the narrative stays one line.
  if (data.size() > 24) return "<" + std::to_string(data.size()) + " bytes>";
  std::string out = "\"";
  for (char c : data) out += (c >= 32 && c < 127 && c != '"') ? std::string(1, c) : "\\x" + [&] {
    char b[4];
    snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(c));
    return std::string(b);
  }();
  return out + "\"";
}

std::string fds(int fd) { return std::to_string(fd); }

// What a read returned, for the log: the text when short and printable, else its size.
nlohmann::json payload(const char* data, long n) {
  std::string s(data, static_cast<size_t>(n));
  return s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 32 && c < 127; })
             ? nlohmann::json(s)
             : nlohmann::json("<" + std::to_string(n) + " bytes>");
}
}  // namespace

SysResult Actor::socket(int domain, int type, int protocol) {
  return record("socket",
                {{"domain", domain_name(domain)}, {"type", socktype_name(type)},
                 {"protocol", protocol_name(protocol)}},
                "socket(" + domain_name(domain) + ", " + socktype_name(type) + ", " +
                    protocol_name(protocol) + ")",
                [&] { return ::socket(domain, type, protocol); });
}

SysResult Actor::bind(int fd, const SockAddr& addr) {
  return record("bind", {{"fd", fd}, {"addr", addr.to_string()}},
                "bind(" + fds(fd) + ", " + addr.to_string() + ")",
                [&] { return ::bind(fd, addr.raw(), addr.len()); });
}

SysResult Actor::listen(int fd, int backlog) {
  return record("listen", {{"fd", fd}, {"backlog", backlog}},
                "listen(" + fds(fd) + ", " + std::to_string(backlog) + ")",
                [&] { return ::listen(fd, backlog); });
}

SysResult Actor::accept(int fd, SockAddr* peer) {
  SockAddr local;
  SockAddr* out = peer ? peer : &local;
  out->prepare_for_output();
  return record("accept", {{"fd", fd}}, "accept(" + fds(fd) + ", &addr, &len)",
                [&] { return ::accept(fd, out->raw(), out->len_ptr()); },
                [&](long) { return nlohmann::json{{"peer", out->to_string()}}; });
}

SysResult Actor::accept4(int fd, int flags, SockAddr* peer) {
  SockAddr local;
  SockAddr* out = peer ? peer : &local;
  out->prepare_for_output();
  std::string names;
  if (flags & SOCK_NONBLOCK) names = "SOCK_NONBLOCK";
  if (flags & SOCK_CLOEXEC) names += std::string(names.empty() ? "" : "|") + "SOCK_CLOEXEC";
  if (names.empty()) names = std::to_string(flags);
  return record("accept4", {{"fd", fd}, {"flags", names}},
                "accept4(" + fds(fd) + ", &addr, &len, " + names + ")",
                [&] { return ::accept4(fd, out->raw(), out->len_ptr(), flags); },
                [&](long) { return nlohmann::json{{"peer", out->to_string()}}; });
}

SysResult Actor::connect(int fd, const SockAddr& addr) {
  return record("connect", {{"fd", fd}, {"addr", addr.to_string()}},
                "connect(" + fds(fd) + ", " + addr.to_string() + ")",
                [&] { return ::connect(fd, addr.raw(), addr.len()); });
}

SysResult Actor::send(int fd, const std::string& data, int flags) {
  return record("send", {{"fd", fd}, {"len", data.size()}, {"flags", msg_flags_name(flags)}},
                "send(" + fds(fd) + ", " + quoted(data) + ", " + std::to_string(data.size()) +
                    ", " + msg_flags_name(flags) + ")",
                [&] { return ::send(fd, data.data(), data.size(), flags); });
}

SysResult Actor::recv(int fd, std::string* data, size_t max, int flags) {
  std::vector<char> buf(max);
  SysResult r = record("recv", {{"fd", fd}, {"len", max}, {"flags", msg_flags_name(flags)}},
                       "recv(" + fds(fd) + ", buf, " + std::to_string(max) + ", " +
                           msg_flags_name(flags) + ")",
                       [&] { return ::recv(fd, buf.data(), buf.size(), flags); },
                       [&](long n) { return payload(buf.data(), n); });
  if (r.ok() && data) data->append(buf.data(), std::min<size_t>(static_cast<size_t>(r.ret), max));
  return r;
}

SysResult Actor::sendto(int fd, const std::string& data, int flags, const SockAddr& to) {
  return record("sendto",
                {{"fd", fd}, {"len", data.size()}, {"flags", msg_flags_name(flags)},
                 {"addr", to.to_string()}},
                "sendto(" + fds(fd) + ", " + quoted(data) + ", " + std::to_string(data.size()) +
                    ", " + msg_flags_name(flags) + ", " + to.to_string() + ")",
                [&] { return ::sendto(fd, data.data(), data.size(), flags, to.raw(), to.len()); });
}

SysResult Actor::recvfrom(int fd, std::string* data, size_t max, int flags, SockAddr* from) {
  std::vector<char> buf(max);
  SockAddr local;
  SockAddr* out = from ? from : &local;
  out->prepare_for_output();
  SysResult r = record("recvfrom", {{"fd", fd}, {"len", max}, {"flags", msg_flags_name(flags)}},
                       "recvfrom(" + fds(fd) + ", buf, " + std::to_string(max) + ", " +
                           msg_flags_name(flags) + ", &addr, &len)",
                       [&] { return ::recvfrom(fd, buf.data(), buf.size(), flags, out->raw(),
                                               out->len_ptr()); },
                       [&](long n) {
                         return nlohmann::json{{"data", payload(buf.data(), n)}, {"from", out->to_string()}};
                       });
  if (r.ok() && data) data->append(buf.data(), std::min<size_t>(static_cast<size_t>(r.ret), max));
  return r;
}

SysResult Actor::shutdown(int fd, int how) {
  return record("shutdown", {{"fd", fd}, {"how", shutdown_name(how)}},
                "shutdown(" + fds(fd) + ", " + shutdown_name(how) + ")",
                [&] { return ::shutdown(fd, how); });
}

SysResult Actor::close(int fd) {
  return record("close", {{"fd", fd}}, "close(" + fds(fd) + ")", [&] { return ::close(fd); });
}

SysResult Actor::close(UniqueFd& fd) { return close(fd.release()); }

SysResult Actor::setsockopt(int fd, int level, int optname, int value) {
  return record("setsockopt",
                {{"fd", fd}, {"level", level_name(level)}, {"optname", sockopt_name(level, optname)},
                 {"value", value}},
                "setsockopt(" + fds(fd) + ", " + level_name(level) + ", " +
                    sockopt_name(level, optname) + ", [" + std::to_string(value) + "])",
                [&] { return ::setsockopt(fd, level, optname, &value, sizeof value); });
}

SysResult Actor::getsockopt(int fd, int level, int optname, int* value) {
  socklen_t len = sizeof *value;
  *value = 0;
  return record("getsockopt",
                {{"fd", fd}, {"level", level_name(level)}, {"optname", sockopt_name(level, optname)}},
                "getsockopt(" + fds(fd) + ", " + level_name(level) + ", " +
                    sockopt_name(level, optname) + ")",
                [&] { return ::getsockopt(fd, level, optname, value, &len); },
                [&](long) { return nlohmann::json{{"value", *value}}; });
}

SysResult Actor::getsockname(int fd, SockAddr* out) {
  out->prepare_for_output();
  return record("getsockname", {{"fd", fd}}, "getsockname(" + fds(fd) + ")",
                [&] { return ::getsockname(fd, out->raw(), out->len_ptr()); },
                [&](long) { return nlohmann::json{{"addr", out->to_string()}}; });
}

SysResult Actor::getpeername(int fd, SockAddr* out) {
  out->prepare_for_output();
  return record("getpeername", {{"fd", fd}}, "getpeername(" + fds(fd) + ")",
                [&] { return ::getpeername(fd, out->raw(), out->len_ptr()); },
                [&](long) { return nlohmann::json{{"addr", out->to_string()}}; });
}

SysResult Actor::poll(int fd, short events, int timeout_ms, short* revents) {
  pollfd p{fd, events, 0};
  SysResult r = record("poll",
                       {{"fd", fd}, {"events", poll_events_name(events)}, {"timeout_ms", timeout_ms}},
                       "poll([" + fds(fd) + " " + poll_events_name(events) + "], " +
                           std::to_string(timeout_ms) + ")",
                       [&] { return ::poll(&p, 1, timeout_ms); },
                       [&](long) { return nlohmann::json{{"revents", poll_events_name(p.revents)}}; });
  if (revents) *revents = p.revents;
  return r;
}

SysResult Actor::set_nonblocking(int fd) {
  return record("fcntl", {{"fd", fd}, {"cmd", "F_SETFL"}, {"flags", "O_NONBLOCK"}},
                "fcntl(" + fds(fd) + ", F_SETFL, O_NONBLOCK)", [&] {
                  const int flags = ::fcntl(fd, F_GETFL);
                  return flags < 0 ? flags : ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
                });
}

SysResult Actor::set_linger(int fd, int onoff, int seconds) {
  const std::string value = "{l_onoff=" + std::to_string(onoff) + ", l_linger=" + std::to_string(seconds) + "}";
  return record("setsockopt", {{"fd", fd}, {"level", "SOL_SOCKET"}, {"optname", "SO_LINGER"}, {"value", value}},
                "setsockopt(" + fds(fd) + ", SOL_SOCKET, SO_LINGER, " + value + ")", [&] {
                  linger l{onoff, seconds};
                  return ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                });
}

void Actor::record_state(const std::string& text, nlohmann::json result) {
  Event e;
  e.side = side_;
  e.call = "state";
  e.text = text;
  e.start = e.end = Clock::now();
  e.result = std::move(result);
  log_.event(e);
}

ListenerQueue Actor::listener_queue(int fd) {
  ListenerQueue q = read_listener_queue(fd);
  record_state("accept queue of " + fds(fd) + " (TCP_INFO)",
               q.valid ? nlohmann::json{{"queued", q.queued}, {"backlog", q.backlog}}
                       : nlohmann::json{{"queue", q.queued_json()}});
  return q;
}

std::vector<TcpSocketState> Actor::tcp_sockets(int family) {
  auto sockets = list_tcp_sockets(family);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sockets) list.push_back(s.to_json());
  record_state("TCP sockets (sock_diag, " + domain_name(family) + ")", list);
  return sockets;
}

}  // namespace sockspec
