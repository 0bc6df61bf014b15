// Closing a listener resets the connections still waiting in its accept queue.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_close_listener_resets_queued",
      "Two clients connect to a listener (backlog 4) that has not accept()ed them:\n"
      "both handshakes complete and the connections wait in the accept queue. The\n"
      "server close()s the listener; the kernel aborts every queued child\n"
      "(inet_csk_listen_stop(), tcp_disconnect()), which sends each client an RST.\n"
      "The probe reads the queue before the close, then each client's recv().\n"
      "With --accept the server accept()s both first: closing the listener then\n"
      "leaves the accepted connections alone, and a client's non-blocking recv()\n"
      "finds nothing to read (EAGAIN).");
  bool accept_first = false;
  probe.flag("--accept", accept_first, "accept() both connections before closing the listener (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    std::vector<sockspec::UniqueFd> clients, accepted;
    std::vector<std::string> addrs;
    for (const char* side : {"client", "client-2"}) {
      clients.push_back(sockspec::connect_to(p.actor(side), listener.addr));
      sockspec::SockAddr local;
      p.actor(side).getsockname(clients.back().get(), &local).must();
      addrs.push_back(local.to_string());
    }
    p.observe("client_addrs", addrs);
    p.observe("client_addr", addrs[0]);
    p.observe("server_addr", listener.addr.to_string());
    sockspec::wait_listener_queued(listener.fd.get(), 2, 3s);
    p.observe("queued_before_close", server.listener_queue(listener.fd.get()).queued_json());
    if (accept_first)
      for (int i = 0; i < 2; ++i) accepted.push_back(server.accept(listener.fd.get()).fd());
    server.close(listener.fd);

    std::vector<std::string> reads;
    for (size_t i = 0; i < clients.size(); ++i) {
      sockspec::Actor& a = p.actor(i == 0 ? "client" : "client-2");
      short revents = 0;
      a.poll(clients[i].get(), POLLIN, 1000, &revents);  // the RST's arrival; no event at all under --accept
      std::string ignored;
      reads.push_back(sockspec::ret_or_errno(a.recv(clients[i].get(), &ignored, 100, MSG_DONTWAIT)));
    }
    p.observe("client_reads", reads);
  });
}
