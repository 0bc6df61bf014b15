// Delayed ACK for a small segment, and TCP_QUICKACK forcing the ACK out at once.
#include "sockspec/counters.h"
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_delayed_ack_quickack",
      "Client and server first make --exchanges request/response rounds, which take\n"
      "the server out of the quick-ACK mode every connection starts in (it becomes\n"
      "'interactive': its replies follow requests closely). Then the client sends one\n"
      "small segment and the server does not answer or read: its kernel holds the ACK\n"
      "until the delayed-ACK timer fires (TcpExt DelayedACKs counts it). With\n"
      "--quickack the server sets TCP_QUICKACK=1 before the segment is sent, and its\n"
      "kernel ACKs it at once. With --quickack-when queued it sets the option only once\n"
      "the segment is queued, unread: Linux then sends the pending ACK only if the\n"
      "receive queue is empty (__tcp_cleanup_rbuf), so the ACK stays delayed. The probe\n"
      "waits until the client's data is acknowledged (retrying a round, up to 3, if\n"
      "the timer fired before the setsockopt(); each round first makes the server\n"
      "interactive again, as getsockopt(TCP_QUICKACK) reading 0 shows).");
  int exchanges = 3;
  bool quickack = false;
  std::string when = "before";
  probe.option("--exchanges", exchanges, "request/response rounds before the measured segment")
      .range(0, 20);
  probe.flag("--quickack", quickack, "the server sets TCP_QUICKACK=1");
  probe.option("--quickack-when", when, "before the segment is sent, or once it is queued")
      .one_of({"before", "queued"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      client.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1).must();
    });
    const int cfd = conn.client.get(), sfd = conn.server.get();
    server.setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, 1).must();
    auto unacked = [&](int fd) { sockspec::TcpInfoFull i; sockspec::read_tcp_info_full(fd, &i); return i.unacked; };
    auto exchange = [&](int i) {
      std::string req, resp;
      client.send(cfd, "request " + std::to_string(i) + "\n").must();
      server.recv(sfd, &req, 100).must();
      server.send(sfd, "response " + std::to_string(i) + "\n").must();
      client.recv(cfd, &resp, 100).must();
    };
    // The server is interactive once getsockopt(TCP_QUICKACK) reads 0
    // (!inet_csk_in_pingpong_mode()). A delayed-ACK timer that fires takes it
    // out again (tcp_delack_timer_handler()), so every attempt first brings it
    // back, with at most 20 more exchanges: a loaded machine's late round
    // would otherwise start the next attempt in quick-ACK mode.
    auto become_interactive = [&]() -> nlohmann::json {
      for (int i = 0; i < exchanges; ++i) exchange(i);
      // Read even with no exchanges (the connection-start variant): then it
      // is what the kernel says, not a stand-in false.
      for (int more = 0;; ++more) {
        int quick = 0;
        if (!server.getsockopt(sfd, IPPROTO_TCP, TCP_QUICKACK, &quick).ok())
          return sockspec::unobservable("getsockopt(TCP_QUICKACK) fails on this stack");
        if (quick == 0 || more == 20 || exchanges == 0) return quick == 0;
        exchange(exchanges + more);
      }
    };

    nlohmann::json rounds = nlohmann::json::array();
    for (int attempt = 1; attempt <= (quickack ? 3 : 1); ++attempt) {
      const nlohmann::json interactive = become_interactive();
      // Nothing unacknowledged either way before the counter is read: the
      // client's own delayed ACK of the last response, firing within the
      // round, would count too (a slow guest saw 2).
      sockspec::wait_until([&] { return unacked(cfd) == 0 && unacked(sfd) == 0; }, 2s);
      const std::optional<long long> before = sockspec::read_net_counter("TcpExt", "DelayedACKs");
      if (quickack && when == "before") server.setsockopt(sfd, IPPROTO_TCP, TCP_QUICKACK, 1).must();
      client.send(cfd, "small " + std::to_string(attempt) + "\n").must();
      short revents = 0;
      server.poll(sfd, POLLIN, 2000, &revents);
      bool too_late = false;
      if (quickack && when == "queued") {
        too_late = unacked(cfd) == 0;  // the timer already sent the ACK
        server.setsockopt(sfd, IPPROTO_TCP, TCP_QUICKACK, 1).must();
      }
      const bool acked = sockspec::wait_until([&] { return unacked(cfd) == 0; }, 2s);
      rounds.push_back({{"acked", acked}, {"delayed_acks", sockspec::counter_change("TcpExt", "DelayedACKs", before)},
                        {"acked_before_quickack", too_late},
                        {"interactive", interactive}});
      std::string drain;
      server.recv(sfd, &drain, 100).must();
      if (!too_late) break;
    }
    p.observe("rounds", rounds);
    p.observe("measured", rounds.back());
    p.observe("exchanges", exchanges);
    p.observe("quickack", quickack);
    client.close(conn.client);
    server.close(conn.server);
  });
}
