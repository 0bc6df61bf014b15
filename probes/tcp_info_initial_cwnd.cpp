// The initial congestion window: ten segments leave before the first ACK (RFC 6928).
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_info_initial_cwnd",
      "The server listens on --port (so that a fault can drop all its ACKs). The client\n"
      "sets TCP_MAXSEG to --mss (small segments, so the window is the limit), connects\n"
      "and reads TCP_INFO's snd_cwnd. It sends --bytes bytes without blocking, more\n"
      "than ten segments: with no ACK coming back only the initial window leaves, inside\n"
      "send(). It reads TCP_INFO again. With --until-timeout it then waits for the\n"
      "retransmission timeout and reads TCP_INFO a third time: the window is one segment.");
  int mss = 1000, bytes = 15000;
  bool until_timeout = false;
  const sockspec::PortOption listener_port(probe);
  probe.option("--mss", mss, "TCP_MAXSEG on the client before connect()").range(536, 65535);
  probe.option("--bytes", bytes, "bytes the client sends").range(1, 1 << 20);
  probe.flag("--until-timeout", until_timeout, "wait for the retransmission timeout (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Listener listener = listener_port.listen(p);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      client.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, mss).must();
    });
    const int cfd = conn.client.get();
    p.observe("after_handshake", sockspec::tcp_congestion_json(cfd));
    p.observe("sent", sockspec::ret_or_errno(client.send(cfd, std::string(bytes, 'a'), MSG_DONTWAIT)));
    p.observe("after_send", sockspec::tcp_congestion_json(cfd));
    if (until_timeout) {
      p.observe("timed_out", sockspec::wait_until([&] {
        const auto i = sockspec::read_tcp_info(cfd);
        return i && i->tcpi_retransmits >= 1;
      }, 10s));
      p.observe("after_timeout", sockspec::tcp_congestion_json(cfd));
    }
    client.close(conn.client);
    p.server().close(conn.server);
  });
}
