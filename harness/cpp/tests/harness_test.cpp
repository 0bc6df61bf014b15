// Unit tests of the probe harness: addresses, names, the event log's two forms,
// the recorded syscalls and the kernel state readers.
#include <gtest/gtest.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <sstream>

#include "sockspec/actor.h"
#include "sockspec/addr.h"
#include "sockspec/event_log.h"
#include "sockspec/counters.h"
#include "sockspec/names.h"
#include "sockspec/observed.h"
#include "sockspec/sock_diag.h"
#include "sockspec/sysctl.h"
#include "sockspec/tcp_info.h"
#include "sockspec/wait.h"

namespace sockspec {
namespace {

TEST(SockAddr, LoopbackIsWrittenAsPeopleWriteIt) {
  EXPECT_EQ(SockAddr::loopback(Family::kInet, 80).to_string(), "127.0.0.1:80");
  EXPECT_EQ(SockAddr::loopback(Family::kInet6, 443).to_string(), "[::1]:443");
  EXPECT_EQ(SockAddr::any(Family::kInet6).to_string(), "[::]:0");
}

TEST(SockAddr, ParseAcceptsBothFamiliesAndRejectsNames) {
  SockAddr a;
  ASSERT_TRUE(SockAddr::parse("10.1.2.3", 7, &a));
  EXPECT_EQ(a.family(), AF_INET);
  EXPECT_EQ(a.port(), 7);
  ASSERT_TRUE(SockAddr::parse("fe80::1", 9, &a));
  EXPECT_EQ(a.to_string(), "[fe80::1]:9");
  EXPECT_FALSE(SockAddr::parse("localhost", 1, &a));
}

TEST(SockAddr, WithPortKeepsTheAddress) {
  SockAddr a = SockAddr::loopback(Family::kInet6, 1).with_port(5000);
  EXPECT_EQ(a.to_string(), "[::1]:5000");
}

TEST(Names, ConstantsReadSymbolically) {
  EXPECT_EQ(errno_name(EADDRINUSE), "EADDRINUSE");
  EXPECT_EQ(socktype_name(SOCK_STREAM | SOCK_NONBLOCK), "SOCK_STREAM|SOCK_NONBLOCK");
  EXPECT_EQ(msg_flags_name(MSG_PEEK | MSG_DONTWAIT), "MSG_PEEK|MSG_DONTWAIT");
  EXPECT_EQ(msg_flags_name(0), "0");
  EXPECT_EQ(tcp_state_name(6), "TIME-WAIT");
  EXPECT_EQ(sockopt_name(SOL_SOCKET, SO_REUSEADDR), "SO_REUSEADDR");
  EXPECT_EQ(shutdown_name(SHUT_WR), "SHUT_WR");
}

TEST(EventLog, JsonLinesEndWithTheObservations) {
  std::ostringstream out;
  EventLog log(out, OutputFormat::kJsonLines);
  Actor actor(log, "server");
  SysResult r = actor.socket(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(r.ok());
  actor.close(static_cast<int>(r.ret));
  log.observe("answer", 42);
  log.finish();

  std::istringstream lines(out.str());
  std::string line;
  std::vector<nlohmann::json> parsed;
  while (std::getline(lines, line)) parsed.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[0]["call"], "socket");
  EXPECT_EQ(parsed[0]["side"], "server");
  EXPECT_EQ(parsed[0]["text"], "socket(AF_INET, SOCK_STREAM, 0)");
  EXPECT_TRUE(parsed[0]["errno"].is_null());
  EXPECT_GT(parsed[0]["t_real_ns"].get<int64_t>(), 1'600'000'000'000'000'000);
  EXPECT_GE(parsed[0]["end_mono_ns"].get<int64_t>(), parsed[0]["t_mono_ns"].get<int64_t>());
  EXPECT_EQ(parsed[2]["observations"]["answer"], 42);
}

TEST(Actor, AFailedCallCarriesErrnoAndItsText) {
  std::ostringstream out;
  EventLog log(out, OutputFormat::kJsonLines);
  Actor actor(log, "client");
  SysResult r = actor.listen(-1, 5);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.err, EBADF);
  EXPECT_EQ(r.text, "listen(-1, 5)");
  auto j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["errno_name"], "EBADF");
  try {
    r.must();
    FAIL() << "must() did not throw";
  } catch (const EnvironmentFailure& e) {
    EXPECT_STREQ(e.what(), "listen(-1, 5) failed: EBADF");
  }
}

TEST(EventLog, NarrativeShowsCallResultAndErrno) {
  std::ostringstream out;
  EventLog log(out, OutputFormat::kNarrative);
  Actor actor(log, "client");
  actor.close(-1);
  EXPECT_NE(out.str().find("close(-1) = -1 EBADF"), std::string::npos) << out.str();
}

// A listener on loopback with this backlog; *addr gets its address.
UniqueFd loopback_listener(Family family, int backlog, SockAddr* addr) {
  UniqueFd listener(socket(af(family), SOCK_STREAM, 0));
  *addr = SockAddr::loopback(family);
  EXPECT_EQ(bind(listener.get(), addr->raw(), addr->len()), 0);
  EXPECT_EQ(listen(listener.get(), backlog), 0);
  addr->prepare_for_output();
  EXPECT_EQ(getsockname(listener.get(), addr->raw(), addr->len_ptr()), 0);
  return listener;
}

TEST(State, ListenerQueueCountsUnacceptedConnections) {
  SockAddr addr;
  UniqueFd listener = loopback_listener(Family::kInet, 3, &addr);

  ListenerQueue q = read_listener_queue(listener.get());
  ASSERT_TRUE(q.valid);
  EXPECT_EQ(q.queued, 0u);
  EXPECT_EQ(q.backlog, 3u);

  UniqueFd client(socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_EQ(connect(client.get(), addr.raw(), addr.len()), 0);
  EXPECT_TRUE(wait_until([&] { return read_listener_queue(listener.get()).queued == 1; },
                         std::chrono::seconds(5)));

  bool seen = false;
  for (const auto& s : list_tcp_sockets(AF_INET)) {
    if (s.state_name == "LISTEN" && s.local.port() == addr.port()) {
      seen = true;
      EXPECT_EQ(s.rqueue, 1u);
      EXPECT_EQ(s.wqueue, 3u);
    }
  }
  EXPECT_TRUE(seen);
}

TEST(State, ListenerQueueIsInvalidForAConnectedSocket) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM, 0));
  ListenerQueue q = read_listener_queue(s.get());
  EXPECT_FALSE(q.valid);
  // Never a stand-in 0: the observation says it could not see, and why.
  EXPECT_EQ(q.queued_json(), nlohmann::json({{"unobservable", "not a listening socket (TCP_INFO state 7)"}}));
}

TEST(State, ABacklogOfZeroIsStillObservable) {
  // tcpi_sacked is 0 then, as on a stack without listener TCP_INFO; the
  // reordering field tells them apart.
  UniqueFd listener(socket(AF_INET, SOCK_STREAM, 0));
  SockAddr addr = SockAddr::loopback(Family::kInet);
  ASSERT_EQ(bind(listener.get(), addr.raw(), addr.len()), 0);
  ASSERT_EQ(listen(listener.get(), 0), 0);
  ListenerQueue q = read_listener_queue(listener.get());
  ASSERT_TRUE(q.valid) << q.unobservable;
  EXPECT_EQ(q.backlog_json(), nlohmann::json(0));
}

TEST(Observed, AnAbsentValueIsUnobservableWithItsReason) {
  EXPECT_EQ(observed_or(std::optional<int>(3), "x"), nlohmann::json(3));
  EXPECT_EQ(observed_or(std::optional<int>(), "no such counter"),
            nlohmann::json({{"unobservable", "no such counter"}}));
  EXPECT_EQ(counter_change("TcpExt", "NoSuchCounterAnywhere", 0),
            nlohmann::json({{"unobservable", "this stack has no TcpExt NoSuchCounterAnywhere counter"}}));
}

TEST(Counters, AnAbsentCounterIsNotZero) {
  EXPECT_EQ(growth(std::optional<long long>(3), std::optional<long long>(5)), std::optional<long long>(2));
  EXPECT_EQ(growth(std::nullopt, std::optional<long long>(5)), std::nullopt);
  EXPECT_EQ(growth(std::optional<long long>(3), std::nullopt), std::nullopt);
  // A counter this stack lacks at the first read stays unobservable, even if it appears later.
  EXPECT_EQ(counter_change("TcpExt", "ListenOverflows", std::nullopt),
            nlohmann::json({{"unobservable", "this stack has no TcpExt ListenOverflows counter"}}));
  EXPECT_TRUE(counter_change("TcpExt", "ListenOverflows", read_net_counter("TcpExt", "ListenOverflows")).is_number());
}

TEST(State, OneReaderForASocketWeHold) {
  UniqueFd tcp(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_EQ(tcp_state(tcp.get()), nlohmann::json("CLOSE"));
  UniqueFd udp(socket(AF_INET, SOCK_DGRAM, 0));
  const nlohmann::json not_tcp = tcp_state(udp.get());
  ASSERT_TRUE(not_tcp.is_object()) << not_tcp;
  EXPECT_TRUE(not_tcp.contains("unobservable"));
  EXPECT_EQ(tcp_info_json(udp.get()).contains("unobservable"), true);
}

TEST(State, AConnectionTheKernelDoesNotHoldIsNone) {
  const SockAddr a = SockAddr::loopback(Family::kInet, 1), b = SockAddr::loopback(Family::kInet, 2);
  EXPECT_EQ(connection_state(AF_INET, a, b), nlohmann::json("none"));
  EXPECT_EQ(describe_connection(AF_INET, a, b), nlohmann::json({{"state", "none"}}));
}

TEST(State, CountersAndSysctlsOfTheNamespace) {
  EXPECT_TRUE(read_net_counter("TcpExt", "ListenOverflows").has_value());
  EXPECT_TRUE(read_net_counter("Tcp", "ActiveOpens").has_value());
  EXPECT_FALSE(read_net_counter("TcpExt", "NoSuchCounter").has_value());
  EXPECT_TRUE(read_sysctl("net.core.somaxconn").has_value());
  EXPECT_FALSE(read_sysctl("net.core.no_such_sysctl").has_value());
  EXPECT_TRUE(sysctl_int("net.core.somaxconn").is_number());
  EXPECT_EQ(sysctl_int("net.core.no_such_sysctl"),
            nlohmann::json({{"unobservable", "this kernel has no net.core.no_such_sysctl"}}));
}

TEST(Wait, ThePauseGrowsWithTheTimeWaited) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  EXPECT_EQ(poll_pause(milliseconds(0)), microseconds(200));
  EXPECT_EQ(poll_pause(milliseconds(64)), microseconds(2000));
  EXPECT_EQ(poll_pause(std::chrono::seconds(10)), microseconds(20000));
  // A 300 ms wait polls a few hundred times, not the 1500 of a fixed 200 µs pause.
  int polls = 0;
  EXPECT_FALSE(wait_until([&] { return ++polls < 0; }, milliseconds(300)));
  EXPECT_LT(polls, 400);
}

TEST(Wait, AnUnobservableConditionEndsTheWaitAtOnce) {
  int polls = 0;
  const nlohmann::json seen = wait_observed([&] { ++polls; return unobservable("no such thing"); }, std::chrono::seconds(5));
  EXPECT_EQ(seen, unobservable("no such thing"));
  EXPECT_EQ(polls, 1);
  EXPECT_EQ(wait_for_growth("TcpExt", "NoSuchCounterAnywhere", std::nullopt, 1, std::chrono::seconds(5)),
            nlohmann::json({{"unobservable", "this stack has no TcpExt NoSuchCounterAnywhere counter"}}));
}

TEST(State, AnExactLookupFindsTheConnectionNotTheListener) {
  SockAddr addr;
  UniqueFd listener = loopback_listener(Family::kInet6, 1, &addr);
  // No connection yet: the lookup that falls back to the listener says none.
  const SockAddr stranger = SockAddr::loopback(Family::kInet6, 9);
  EXPECT_EQ(connection_state(AF_INET6, addr, stranger), nlohmann::json("none"));

  UniqueFd client(socket(AF_INET6, SOCK_STREAM, 0));
  ASSERT_EQ(connect(client.get(), addr.raw(), addr.len()), 0);
  SockAddr local;
  local.prepare_for_output();
  ASSERT_EQ(getsockname(client.get(), local.raw(), local.len_ptr()), 0);
  EXPECT_EQ(connection_state(AF_INET6, local, addr), nlohmann::json("ESTABLISHED"));
  EXPECT_EQ(wait_connection_state(AF_INET6, addr, local, "ESTABLISHED", std::chrono::seconds(5)), nlohmann::json(true));
  EXPECT_EQ(connection_state(AF_INET, local, addr), nlohmann::json("none"));  // not of that family
}

TEST(Wait, ReturnsFalseAtTheDeadline) {
  EXPECT_FALSE(wait_until([] { return false; }, std::chrono::milliseconds(5)));
  int calls = 0;
  EXPECT_TRUE(wait_until([&] { return ++calls == 3; }, std::chrono::seconds(1)));
}

}  // namespace
}  // namespace sockspec
