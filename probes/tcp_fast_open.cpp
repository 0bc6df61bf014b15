// TCP Fast Open: the first connection fetches a cookie, the second carries its data in the SYN.
#include "sockspec/observed.h"
#include "sockspec/scenario.h"
#include "sockspec/tcp_setup_util.h"

namespace ts = sockspec::tcp_setup;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fast_open",
      "The namespace has net.ipv4.tcp_fastopen=3 (client and server; the test sets it)\n"
      "and the listener sets TCP_FASTOPEN. Two clients in turn sendto(MSG_FASTOPEN) a\n"
      "request instead of connect()ing. The first has no cookie: its SYN asks for one\n"
      "and the data follows the handshake; the server's SYN+ACK carries the cookie.\n"
      "The second SYN carries the cookie and the data (RFC 7413 3); the server creates\n"
      "the connection at once and accept() returns it with the data readable. TcpExt\n"
      "TCPFastOpenActive / TCPFastOpenPassive / TCPFastOpenCookieReqd count it\n"
      "(Documentation/networking/ip-sysctl.rst tcp_fastopen).");
  int qlen = 8;
  probe.option("--qlen", qlen, "TCP_FASTOPEN queue length on the listener (0: not set)")
      .range(0, 1024);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    p.observe("tcp_fastopen", std::stoi(sockspec::read_sysctl("net.ipv4.tcp_fastopen").value_or("-1")));
    const char* names[] = {"TCPFastOpenActive", "TCPFastOpenPassive", "TCPFastOpenCookieReqd"};
    long long before[3];
    for (int i = 0; i < 3; ++i) before[i] = ts::tcpext(names[i]);
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 8, [&](int fd) {
      if (qlen) server.setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, qlen).must();
    });
    p.observe("server_addr", listener.addr.to_string());

    nlohmann::json rounds = nlohmann::json::array();
    for (int i = 1; i <= 2; ++i) {
      auto& client = p.actor("client-" + std::to_string(i));
      sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
      client.bind(fd.get(), p.loopback()).must();
      sockspec::SockAddr local;
      client.getsockname(fd.get(), &local).must();
      const std::string request = "request " + std::to_string(i);
      sockspec::SysResult s = client.sendto(fd.get(), request, MSG_FASTOPEN, listener.addr);
      sockspec::UniqueFd conn = server.accept(listener.fd.get()).fd();
      std::string data;
      sockspec::SysResult r = server.recv(conn.get(), &data, 100, MSG_DONTWAIT);
      rounds.push_back({{"client_addr", local.to_string()},
                        {"sendto", s.ok() ? std::to_string(s.ret) : sockspec::errno_name(s.err)},
                        {"read_after_accept", r.ok() ? data : sockspec::errno_name(r.err)}});
      server.close(conn);
      client.close(fd);
    }
    p.observe("rounds", rounds);
    p.observe("client_addr", rounds[1]["client_addr"]);
    nlohmann::json delta = nlohmann::json::object();
    for (int i = 0; i < 3; ++i) delta[names[i]] = sockspec::counter_change("TcpExt", names[i], before[i]);
    p.observe("counters", delta);
    server.close(listener.fd);
  });
}
