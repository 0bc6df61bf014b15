// SEED-14, SEED-15: the kernel completes the handshake on its own; accept()
// only takes a finished connection off the accept queue.
#include <fcntl.h>

#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_accept_after_handshake",
      "Several clients connect() to a listener and each sends a line before the server\n"
      "has called accept() even once. The handshakes complete and connect() returns\n"
      "without accept(); the connections wait in the listener's accept queue, whose\n"
      "length the probe reads (TCP_INFO) before and after each accept(). Right after\n"
      "each accept() the probe reads, without blocking, the data the client sent.\n"
      "With --defer-accept-s and --no-data (TCP_DEFER_ACCEPT), the kernel instead\n"
      "keeps data-less connections out of the accept queue.");
  int clients = 3;
  int backlog = 8;
  int defer_accept_s = 0;
  bool no_data = false;
  int settle_ms = 2000;
  probe.option("--clients", clients, "clients that connect before any accept()")
      .range(1, 64);
  probe.option("--backlog", backlog, "listen() backlog").range(0, 4096);
  probe.option("--defer-accept-s", defer_accept_s, "set TCP_DEFER_ACCEPT on the listener (seconds)")
      .range(0, 60);
  probe.flag("--no-data", no_data, "clients send nothing before accept()");
  probe.option("--settle-ms", settle_ms, "how long to wait for the queue to hold every client")
      .range(1, 10000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, backlog, [&](int fd) {
      if (defer_accept_s) server.setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, defer_accept_s).must();
    });
    // Non-blocking, so that an empty queue shows as EAGAIN instead of hanging the probe.
    server.set_nonblocking(listener.fd.get()).must();

    std::vector<sockspec::UniqueFd> conns;
    nlohmann::json client_addrs = nlohmann::json::array();
    for (int i = 0; i < clients; ++i) {
      auto& client = p.actor("client-" + std::to_string(i + 1));
      conns.push_back(sockspec::connect_to(client, listener.addr));
      sockspec::SockAddr local;
      client.getsockname(conns.back().get(), &local).must();
      client_addrs.push_back(local.to_string());
      if (!no_data) client.send(conns.back().get(), "hello from client " + std::to_string(i + 1)).must();
    }
    p.observe("server_addr", listener.addr.to_string());
    p.observe("client_addr", client_addrs[0]);
    p.observe("client_addrs", client_addrs);
    p.note("every connect() has returned; accept() has not been called yet");

    const sockspec::ListenerQueue q0 = sockspec::read_listener_queue(listener.fd.get());
    // Where the queue cannot be read this waits out settle_ms, so accept() still comes last.
    const bool all_queued = sockspec::wait_until(
        [&] { return sockspec::read_listener_queue(listener.fd.get()).queued == static_cast<uint32_t>(clients); },
        std::chrono::milliseconds(settle_ms));
    p.observe("all_queued_before_accept", q0.valid ? nlohmann::json(all_queued) : sockspec::unobservable(q0.unobservable));

    nlohmann::json queue_lengths = nlohmann::json::array();
    nlohmann::json accepted = nlohmann::json::array();
    for (int i = 0; i < clients; ++i) {
      queue_lengths.push_back(server.listener_queue(listener.fd.get()).queued_json());
      sockspec::SockAddr peer;
      sockspec::SysResult a = server.accept(listener.fd.get(), &peer);
      nlohmann::json entry = {{"ret", a.ret}, {"errno", a.ok() ? "" : sockspec::errno_name(a.err)}};
      if (a.ok()) {
        sockspec::UniqueFd fd = a.fd();
        std::string data;
        sockspec::SysResult r = server.recv(fd.get(), &data, 256, MSG_DONTWAIT);
        entry.update({{"peer", peer.to_string()},
                      {"new_descriptor", a.ret != listener.fd.get()},
                      {"recv_ret", r.ret},
                      {"recv_errno", r.ok() ? "" : sockspec::errno_name(r.err)},
                      {"data", data}});
        server.close(fd);
      }
      accepted.push_back(entry);
    }
    queue_lengths.push_back(server.listener_queue(listener.fd.get()).queued_json());
    p.observe("queue_lengths", queue_lengths);
    p.observe("accepted", accepted);
    for (int i = 0; i < clients; ++i) p.actor("client-" + std::to_string(i + 1)).close(conns[i]);
    server.close(listener.fd);
  });
}
