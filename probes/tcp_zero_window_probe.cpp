// A receiver that stops reading advertises a zero window; the sender probes it; reading reopens it.
#include <algorithm>

#include "sockspec/observed.h"
#include "sockspec/tcp_data_tcpinfo.h"
#include "sockspec/tcp_data_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_zero_window_probe",
      "The server's socket has a small SO_RCVBUF (--rcvbuf, set on the listener) and\n"
      "does not read. The client (SO_SNDBUF --sndbuf) sends without blocking until EAGAIN. The server's\n"
      "receive buffer fills and it advertises a zero window; the client's kernel arms\n"
      "its zero-window probe timer (sock_diag timer 4) and sends probes, backing off,\n"
      "each answered by the server with an ACK that still says window 0. The probe\n"
      "waits until --probes were sent (TcpExt TCPWinProbe), then the server reads\n"
      "everything: a window update reopens the window and the rest of the data flows.\n"
      "--bytes caps what the client sends (with a big --rcvbuf: no zero window, no probe).");
  int rcvbuf = 4096, sndbuf = 16384, probes = 2, bytes = 0, wait_ms = 5000;
  probe.option("--rcvbuf", rcvbuf, "server SO_RCVBUF").range(1024, 1 << 20);
  probe.option("--sndbuf", sndbuf, "client SO_SNDBUF").range(1024, 1 << 20);
  probe.option("--bytes", bytes, "send at most this much (0: until EAGAIN)").range(0, 1 << 24);
  probe.option("--wait-ms", wait_ms, "how long to wait for the zero window, then for the probes")
      .range(1, 60000);
  probe.option("--probes", probes, "zero-window probes to wait for").range(0, 5);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_port(p, 0, 1, [&](int fd) {
      server.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf).must();
    });
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      client.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, sndbuf).must();
    });
    const int cfd = conn.client.get();
    client.set_nonblocking(cfd).must();
    long accepted = 0;
    const std::string chunk(65536, 'z');
    for (int i = 0; i < 100 && (bytes == 0 || accepted < bytes); ++i) {
      const size_t n = bytes ? std::min<size_t>(chunk.size(), bytes - accepted) : chunk.size();
      sockspec::SysResult r = client.send(cfd, chunk.substr(0, n));
      if (!r.ok()) break;
      accepted += r.ret;
    }
    p.observe("accepted", accepted);
    auto info = [&] { sockspec::TcpInfoFull i; sockspec::read_tcp_info_full(cfd, &i); return i; };
    p.observe("zero_window_seen", sockspec::wait_until([&] { return info().snd_wnd == 0; }, std::chrono::milliseconds(wait_ms)));
    const long long before = sockspec::tcpext("TCPWinProbe");
    const bool probed = sockspec::wait_until([&] { return sockspec::tcpext("TCPWinProbe") - before >= probes; },
                                             std::chrono::milliseconds(wait_ms));
    p.observe("window_probes_sent", sockspec::counter_change("TcpExt", "TCPWinProbe", before));
    p.observe("probes_in_time", probed);
    for (const auto& s : client.tcp_sockets(p.af()))
      if (s.local.to_string() == conn.client_addr.to_string()) p.observe("client_socket", s.to_json());
    p.observe("client_tcp_info_closed", sockspec::tcp_info_json(cfd));

    const long long reopened = sockspec::tcpext("TCPFromZeroWindowAdv");
    std::string got;
    while (static_cast<long>(got.size()) < accepted) {
      std::string part;
      if (server.recv(conn.server.get(), &part, 1 << 20).must() == 0) break;
      got += part;
    }
    p.observe("server_read", got.size());
    p.observe("from_zero_window_adverts", sockspec::counter_change("TcpExt", "TCPFromZeroWindowAdv", reopened));
    sockspec::wait_until([&] { return info().unacked == 0; }, 5s);
    p.observe("client_tcp_info_end", sockspec::tcp_info_json(cfd));
  });
}
