// A connection reset by its client while it waits in the accept queue: accept() still returns it.
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_reset_in_accept_queue",
      "A client connects and, before the server calls accept(), closes with\n"
      "SO_LINGER {1, 0}: it sends RST. The probe waits until the server's socket for\n"
      "the connection has left ESTABLISHED (sock_diag), then accept()s. Linux keeps the\n"
      "reset socket in the accept queue and accept() returns it (accept(2) lets a\n"
      "system return ECONNABORTED here; Linux does not); the first read reports\n"
      "ECONNRESET, the next reads EOF. With --graceful the client close()s normally:\n"
      "FIN, and the first read gives EOF.");
  bool graceful = false;
  probe.flag("--graceful", graceful, "the client closes with FIN instead of RST");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    sockspec::UniqueFd fd = sockspec::connect_to(client, listener.addr);
    sockspec::SockAddr local;
    client.getsockname(fd.get(), &local).must();
    sockspec::observe_endpoints(p, local, listener.addr);
    sockspec::wait_listener_queued(listener.fd.get(), 1, 3s);

    if (!graceful) client.set_linger(fd.get(), 1, 0).must();
    client.close(fd);
    // The server's end, still in the accept queue, leaves ESTABLISHED (gone after RST, CLOSE-WAIT after FIN).
    auto server_end = [&] {
      for (const auto& s : sockspec::list_tcp_sockets(p.af()))
        if (s.local.port() == listener.addr.port() && s.remote.to_string() == local.to_string()) return s.state_name;
      return std::string("none");
    };
    sockspec::wait_until([&] { return server_end() != "ESTABLISHED"; }, 3s);
    p.observe("server_end_before_accept", server_end());
    p.observe("queue_before_accept", server.listener_queue(listener.fd.get()).queued_json());

    sockspec::SockAddr peer;
    sockspec::SysResult a = server.accept(listener.fd.get(), &peer);
    p.observe("accept", sockspec::outcome(a));
    if (a.ok()) {
      sockspec::UniqueFd conn = a.fd();
      p.observe("accept_peer", peer.to_string());
      sockspec::SockAddr gp;
      sockspec::SysResult g = server.getpeername(conn.get(), &gp);
      p.observe("getpeername", g.ok() ? gp.to_string() : sockspec::errno_name(g.err));
      nlohmann::json reads = nlohmann::json::array();
      for (int i = 0; i < 2; ++i) {
        std::string data;
        sockspec::SysResult r = server.recv(conn.get(), &data, 100, MSG_DONTWAIT);
        reads.push_back(r.ok() ? std::to_string(r.ret) : sockspec::errno_name(r.err));
      }
      p.observe("reads", reads);
      server.close(conn);
    }
    p.observe("queue_after_accept", server.listener_queue(listener.fd.get()).queued_json());
    server.close(listener.fd);
  });
}
