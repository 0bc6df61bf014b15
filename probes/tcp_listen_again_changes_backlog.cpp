// listen() on a listening socket changes its backlog; the new cap applies to the next SYNs.
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;
namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_listen_again_changes_backlog",
      "The listener starts with listen(--first). Clients connect until one is dropped\n"
      "(accept queue full at first+1). Then listen(--second) is called on the same\n"
      "socket: it succeeds and only updates the backlog (net/ipv4/af_inet.c\n"
      "__inet_listen_sk(): 'Really, if the socket is already in listen state we can\n"
      "only allow the backlog to be adjusted'), as TCP_INFO shows. The dropped\n"
      "client's SYN, retransmitted after 1 s, now fits; more clients connect until\n"
      "one is dropped at second+1. Last, listen(--third) shrinks the backlog: the\n"
      "queued connections stay, and accept() still takes them.");
  int first = 1, second = 3, third = 0;
  probe.option("--first", first, "first backlog").range(0, 64);
  probe.option("--second", second, "backlog of the second listen()").range(0, 64);
  probe.option("--third", third, "backlog of the third listen()").range(0, 64);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, first);
    const int lfd = listener.fd.get();
    p.observe("server_addr", listener.addr.to_string());
    std::vector<ts::Signal> signals = {
        {"queued", [&] { return ts::queued_or_unreadable(lfd); }, 0},
        {"dropped", [] { return ts::tcpext("ListenOverflows"); }, ts::tcpext("ListenOverflows")},
    };
    std::vector<sockspec::UniqueFd> fds;
    nlohmann::json clients = nlohmann::json::array();
    // Connects clients until one is dropped.
    auto fill = [&] {
      for (int i = 0; i < 70; ++i) {
        auto& client = p.actor("client-" + std::to_string(fds.size() + 1));
        ts::StartedConnect c = ts::start_connect(client, listener.addr);
        const nlohmann::json what = ts::first_signal(signals, 3s);
        clients.push_back({{"client", c.local.to_string()}, {"outcome", what}});
        fds.push_back(std::move(c.fd));
        if (what != "queued") return;
      }
    };
    p.observe("backlog_1", server.listener_queue(lfd).backlog_json());
    fill();
    p.observe("queue_1", server.listener_queue(lfd).queued_json());

    p.observe("listen_2", ts::outcome(server.listen(lfd, second)));
    p.observe("backlog_2", server.listener_queue(lfd).backlog_json());
    // The dropped client's SYN comes again after 1 s: queued or dropped again.
    signals[0].baseline = sockspec::read_listener_queue(lfd).queued;
    p.observe("dropped_client_retransmit", ts::first_signal(signals, 4s));
    fill();
    p.observe("queue_2", server.listener_queue(lfd).queued_json());
    p.observe("clients", clients);

    p.observe("listen_3", ts::outcome(server.listen(lfd, third)));
    p.observe("backlog_3", server.listener_queue(lfd).backlog_json());
    p.observe("queue_3", server.listener_queue(lfd).queued_json());
    sockspec::SysResult a = server.accept(lfd);
    p.observe("accept_after_shrink", ts::outcome(a));
    if (a.ok()) close(a.ret);
  });
}
