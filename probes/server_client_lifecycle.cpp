// SEED-7: the seed's server steps (socket, bind, listen, accept, send/recv,
// back to accept, close) and client steps (socket, connect, send/recv, close).
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("server_client_lifecycle",
      "The server makes a socket, binds it to loopback, listens, and then for each of\n"
      "--clients clients in turn: accept() (a new descriptor, not the listener's), recv()\n"
      "the client's request, send() a reply, recv() the client's EOF, close(); then back\n"
      "to accept(). Each client: socket(), connect() without bind() (the kernel picks an\n"
      "ephemeral port), send(), recv() the reply, close(). The listener is closed at the\n"
      "end. With --close-listener-after 1 the server closes its listener after the first\n"
      "client, so the next connect() is refused.");
  int clients = 2;
  int close_after = 0;
  probe.option("--clients", clients, "clients served one after another")
      .range(1, 16);
  probe.option("--close-listener-after", close_after, "close the listener after this many clients (0: at the end)")
      .range(0, 16);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    namespace sa = sockspec::socket_api;
    sockspec::Actor& server = p.server();
    sockspec::UniqueFd listener = server.socket(p.af(), SOCK_STREAM).fd();
    server.bind(listener.get(), p.loopback(0)).must();
    server.listen(listener.get(), 4).must();
    sockspec::SockAddr addr;
    server.getsockname(listener.get(), &addr).must();
    p.observe("server_addr", addr.to_string());
    p.observe("listener_fd", listener.get());
    const auto [low, high] = sa::local_port_range();
    p.observe("port_range", {low, high});

    nlohmann::json served = nlohmann::json::array();
    for (int i = 1; i <= clients; ++i) {
      sockspec::Actor& client = p.actor("client-" + std::to_string(i));
      sockspec::UniqueFd c = client.socket(p.af(), SOCK_STREAM).fd();
      const sockspec::SysResult connected = client.connect(c.get(), addr);
      nlohmann::json entry = {{"connect", sockspec::outcome(connected)}};
      if (!connected.ok()) {
        served.push_back(entry);
        client.close(c);
        continue;
      }
      sockspec::SockAddr local;
      client.getsockname(c.get(), &local).must();
      const std::string request = "request " + std::to_string(i), reply = "reply " + std::to_string(i);
      client.send(c.get(), request).must();

      sockspec::SockAddr peer;
      sockspec::UniqueFd conn = server.accept(listener.get(), &peer).fd();
      std::string got_request, got_reply, eof;
      server.recv(conn.get(), &got_request, 256).must();
      server.send(conn.get(), reply).must();
      client.recv(c.get(), &got_reply, 256).must();
      client.close(c);
      const long eof_ret = server.recv(conn.get(), &eof, 256).must();
      entry.update({{"client_addr", local.to_string()}, {"client_port", local.port()},
                    {"accepted_fd", conn.get()}, {"accepted_peer", peer.to_string()},
                    {"server_got", got_request}, {"client_got", got_reply},
                    {"server_read_eof", eof_ret == 0}});
      server.close(conn);
      served.push_back(entry);
      if (close_after == i) server.close(listener);
    }
    p.observe("clients", served);
    if (!served.empty() && served[0].contains("client_addr")) p.observe("client_addr", served[0]["client_addr"]);
    if (listener.valid()) server.close(listener);
  });
}
