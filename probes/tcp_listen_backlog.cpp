// SEED-12, SEED-13: listen()'s backlog caps the queue of completed connections.
#include "sockspec/counters.h"
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_listen_backlog",
      "A listener is made with --backlog and never accept()s. --clients clients connect\n"
      "one after another (non-blocking). After each, the probe waits until the kernel\n"
      "has either queued the connection (the accept queue, read with TCP_INFO, grows)\n"
      "or dropped its SYN (TcpExt ListenOverflows grows). Then, for the dropped ones,\n"
      "it waits until their retransmitted SYN (1 s later) has been dropped too.\n"
      "The backlog is capped by net.core.somaxconn; the seed says the allowed range is\n"
      "'generally under 30'.");
  int backlog = 1;
  int clients = 4;
  bool wait_retransmit = true;
  probe.option("--backlog", backlog, "listen() backlog").range(0, 1 << 20);
  probe.option("--clients", clients, "clients that connect").range(0, 1000);
  probe.option("--wait-retransmit", wait_retransmit,
               "wait for each dropped client's SYN retransmission (about 1 s)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, backlog);
    const sockspec::ListenerQueue q0 = server.listener_queue(listener.fd.get());
    p.observe("server_addr", listener.addr.to_string());
    p.observe("backlog_requested", backlog);
    p.observe("backlog_effective", q0.backlog_json());
    const auto somaxconn = sockspec::read_sysctl("net.core.somaxconn");
    p.observe("somaxconn", somaxconn ? nlohmann::json(std::stoi(*somaxconn))
                                     : sockspec::unobservable("no net.core.somaxconn sysctl"));
    const std::optional<long long> overflows0 = sockspec::read_net_counter("TcpExt", "ListenOverflows");
    const bool have_overflows = overflows0.has_value();
    const nlohmann::json no_overflows = sockspec::unobservable("no TcpExt ListenOverflows counter");
    auto overflows = [&] { return sockspec::growth(overflows0, sockspec::read_net_counter("TcpExt", "ListenOverflows")).value_or(0); };
    std::vector<sockspec::UniqueFd> conns;
    nlohmann::json outcomes = nlohmann::json::array();
    int queued = 0, dropped = 0;
    // Where neither number moves (gVisor: no listener TCP_INFO, no
    // ListenOverflows), the client's own handshake is all there is to wait
    // on: a queued client is established at once, and the first one that
    // is not within 3 s shows it; later clients get a short wait.
    const bool observable = q0.valid || have_overflows;
    auto limit = std::chrono::milliseconds(3000);
    for (int i = 0; i < clients; ++i) {
      auto& client = p.actor("client-" + std::to_string(i + 1));
      conns.push_back(client.socket(p.af(), SOCK_STREAM | SOCK_NONBLOCK).fd());
      client.connect(conns.back().get(), listener.addr);  // EINPROGRESS
      sockspec::SockAddr local;
      client.getsockname(conns.back().get(), &local).must();
      // Whichever the kernel did with this SYN, one of the two numbers moves.
      std::string outcome = "undetermined";
      bool established = false;
      sockspec::wait_until([&] {
        if (sockspec::read_listener_queue(listener.fd.get()).queued > static_cast<uint32_t>(queued)) {
          outcome = "queued";
        } else if (overflows() > dropped) {
          outcome = "dropped";
        } else if (!observable) {
          established = sockspec::tcp_state(conns.back().get()) == "ESTABLISHED";
        }
        return outcome != "undetermined" || established;
      }, limit);
      if (outcome == "undetermined" && !established) limit = 200ms;
      queued += outcome == "queued";
      dropped += outcome == "dropped";
      // Neither number can move on this stack: what happened to the SYN is not observable.
      outcomes.push_back({{"client", local.to_string()},
                          {"outcome", observable
                                          ? nlohmann::json(outcome)
                                          : sockspec::unobservable("neither the accept queue nor ListenOverflows "
                                                                   "can be read on this stack")}});
      client.note("connection " + std::to_string(i + 1) + ": " + outcome);
    }
    server.listener_queue(listener.fd.get());
    p.observe("clients", outcomes);
    // A count whose signal this stack does not give is unobservable, not 0.
    p.observe("queued", q0.valid ? nlohmann::json(queued) : sockspec::unobservable(q0.unobservable));
    p.observe("dropped", have_overflows ? nlohmann::json(dropped)
                                        : no_overflows);

    if (!have_overflows && wait_retransmit) {
      p.observe("retransmitted_syns_dropped", no_overflows);
    } else if (dropped > 0 && wait_retransmit) {
      const bool seen = sockspec::wait_until([&] { return overflows() >= 2LL * dropped; }, 5s);
      p.observe("retransmitted_syns_dropped", seen);
      p.note("every dropped client's SYN was retransmitted and dropped again");
    }
    p.observe("listen_overflows", sockspec::counter_change("TcpExt", "ListenOverflows", overflows0));
    p.observe("queue_length", server.listener_queue(listener.fd.get()).queued_json());

    nlohmann::json states = nlohmann::json::array();
    for (auto& c : conns) states.push_back(sockspec::tcp_state(c.get()));
    p.observe("client_states", states);
  });
}
