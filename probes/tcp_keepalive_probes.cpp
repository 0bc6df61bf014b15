// SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT: probes on an idle connection, ETIMEDOUT for a silent peer.
#include "sockspec/calls.h"
#include "sockspec/counters.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_keepalive_probes",
      "The client sets SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT and the\n"
      "connection stays idle. After KEEPIDLE seconds the client's kernel sends a probe\n"
      "(an empty segment with seq = snd_nxt - 1, which forces the peer to ACK), then one\n"
      "every KEEPINTVL seconds while unanswered. In --mode answered the probe waits until\n"
      "--keepcnt probes were sent (TcpExt TCPKeepAlive) and reports the state: still\n"
      "established. In --mode silent (run it with a fault dropping the server's ACKs,\n"
      "server on --port) the client blocks in recv(), which fails with ETIMEDOUT once\n"
      "KEEPCNT probes went unanswered. --no-keepalive leaves SO_KEEPALIVE off: nothing\n"
      "is sent and the recv() (bounded by --wait-ms) just times out.");
  int idle = 1, intvl = 1, cnt = 2;
  std::string mode = "answered";
  bool no_keepalive = false;
  int wait_ms = 0;
  const sockspec::PortOption listener_port(probe);
  probe.option("--keepidle", idle, "TCP_KEEPIDLE, seconds").range(1, 30);
  probe.option("--keepintvl", intvl, "TCP_KEEPINTVL, seconds").range(1, 30);
  probe.option("--keepcnt", cnt, "TCP_KEEPCNT").range(1, 10);
  probe.option("--mode", mode, "answered or silent").one_of({"answered", "silent"});
  probe.flag("--no-keepalive", no_keepalive, "leave SO_KEEPALIVE off (negative control)");
  probe.option("--wait-ms", wait_ms, "SO_RCVTIMEO of the silent-mode recv() (0: none)")
      .range(0, 60000);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = listener_port.listen(p);
    const std::optional<long long> before = sockspec::read_net_counter("TcpExt", "TCPKeepAlive");
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      client.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, no_keepalive ? 0 : 1).must();
      client.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle).must();
      client.setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl).must();
      client.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, cnt).must();
    });
    const int cfd = conn.client.get();
    p.observe("keepidle", idle);
    p.observe("keepintvl", intvl);
    p.observe("keepcnt", cnt);

    if (mode == "answered") {
      const auto deadline = std::chrono::seconds(idle + cnt * intvl + 5);
      const nlohmann::json sent = sockspec::wait_for_growth("TcpExt", "TCPKeepAlive", before, cnt,
                                                            std::chrono::duration_cast<std::chrono::milliseconds>(deadline));
      // The last probe's answer has come back when no probe is outstanding.
      sockspec::wait_until([&] {
        sockspec::TcpInfoFull i;
        return sockspec::read_tcp_info_full(cfd, &i) && i.probes == 0;
      }, 2s);
      p.observe("keepalives_sent", sockspec::counter_change("TcpExt", "TCPKeepAlive", before));
      p.observe("probes_sent_in_time", sent);
      p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
      return;
    }
    if (wait_ms) sockspec::set_rcvtimeo_ms(client, cfd, wait_ms).must();
    std::string got;
    sockspec::SysResult r = client.recv(cfd, &got, 100);
    p.observe("client_recv", sockspec::ret_or_errno(r));
    p.observe("keepalives_sent", sockspec::counter_change("TcpExt", "TCPKeepAlive", before));
    p.observe("client_tcp_info", sockspec::tcp_info_json(cfd));
  });
}
