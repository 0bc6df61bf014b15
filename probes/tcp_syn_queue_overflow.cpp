// SEED-13: half-open connections fill the SYN queue; what happens to the next SYN.
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

using namespace std::chrono_literals;
namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_queue_overflow",
      "The test drops every pure ACK, so each client's handshake stops half-way: the\n"
      "client got the SYN+ACK, the server keeps a request socket (SYN-RECV in\n"
      "sock_diag) in its SYN queue. --clients clients connect one by one to a listener\n"
      "made with --backlog. After each SYN the probe waits until the kernel has either\n"
      "kept a request socket (held), answered with a SYN cookie and kept nothing\n"
      "(TcpExt SyncookiesSent: cookie), or dropped the SYN (TcpExt ListenDrops:\n"
      "dropped), or, when no ACK is dropped, completed it (the accept queue grows:\n"
      "completed). Linux bounds the SYN queue by the listen backlog\n"
      "(inet_csk_reqsk_queue_is_full()), and, with tcp_syncookies=0, also keeps its\n"
      "last quarter of net.ipv4.tcp_max_syn_backlog for proven peers\n"
      "(net/ipv4/tcp_input.c tcp_conn_request()).");
  int backlog = 4;
  int clients = 7;
  probe.option("--backlog", backlog, "listen() backlog").range(0, 4096);
  probe.option("--clients", clients, "clients that connect").range(1, 200);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    for (const char* name : {"net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog"})
      p.observe(std::string(name).substr(9), std::stoi(sockspec::read_sysctl(name).value_or("-1")));
    const char* counters[] = {"ListenDrops", "ListenOverflows", "TCPReqQFullDrop", "TCPReqQFullDoCookies",
                              "SyncookiesSent"};
    long long before[5];
    for (int i = 0; i < 5; ++i) before[i] = ts::tcpext(counters[i]);

    sockspec::Listener listener = sockspec::listen_on_loopback(p, backlog);
    p.observe("server_addr", listener.addr.to_string());
    const uint16_t port = listener.addr.port();
    std::vector<ts::Signal> signals = {
        {"held", [&] { return static_cast<long long>(ts::count_in_state(p.af(), "SYN-RECV", port)); }, 0},
        {"cookie", [] { return ts::tcpext("SyncookiesSent"); }, before[4]},
        {"dropped", [] { return ts::tcpext("ListenDrops"); }, before[0]},
        // Only when the ACKs are not dropped (a run by hand): the handshake completed.
        {"completed", [&] { return ts::queued_or_unreadable(listener.fd.get()); }, 0},
    };
    std::vector<sockspec::UniqueFd> fds;
    nlohmann::json outcomes = nlohmann::json::array();
    for (int i = 0; i < clients; ++i) {
      auto& client = p.actor("client-" + std::to_string(i + 1));
      ts::StartedConnect c = ts::start_connect(client, listener.addr);
      const nlohmann::json what = ts::first_signal(signals, 3s);
      client.note("SYN " + std::to_string(i + 1) + ": " + (what.is_string() ? what.get<std::string>() : what.dump()));
      outcomes.push_back({{"client", c.local.to_string()}, {"outcome", what}, {"state", ts::tcp_state_of(c.fd.get())}});
      fds.push_back(std::move(c.fd));
    }
    p.observe("clients", outcomes);
    p.observe("request_sockets", ts::count_in_state(p.af(), "SYN-RECV", port));
    p.observe("accept_queue", server.listener_queue(listener.fd.get()).queued_json());
    nlohmann::json delta = nlohmann::json::object();
    for (int i = 0; i < 5; ++i) delta[counters[i]] = sockspec::counter_change("TcpExt", counters[i], before[i]);
    p.observe("counters", delta);
  });
}
