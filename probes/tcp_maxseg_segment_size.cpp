// TCP_MAXSEG caps the size of the segments both ends send.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_maxseg_segment_size",
      "The client sets TCP_MAXSEG to --mss before connect() and connects; each end\n"
      "reads its segment size (getsockopt(TCP_MAXSEG)). The client sends --bytes bytes\n"
      "in one send() and the server answers with as many. The probe then reads each\n"
      "end's TCP_INFO: its count of data segments sent. With --mss 0 the client does\n"
      "not set TCP_MAXSEG and loopback's MSS applies.");
  int mss = 1000, bytes = 20000;
  probe.option("--mss", mss, "TCP_MAXSEG on the client before connect() (0: leave it)").range(0, 65535);
  probe.option("--bytes", bytes, "bytes each way").range(1, 1 << 20);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish_with(p, listener, [&](int fd) {
      if (mss) client.setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, mss).must();
    });
    p.observe("client_maxseg", sockspec::sockopt_int(client, conn.client.get(), IPPROTO_TCP, TCP_MAXSEG));
    p.observe("server_maxseg", sockspec::sockopt_int(server, conn.server.get(), IPPROTO_TCP, TCP_MAXSEG));
    sockspec::request_response(p, conn, static_cast<size_t>(bytes));
    p.observe("client_tcp_info", sockspec::tcp_info_json(conn.client.get()));
    p.observe("server_tcp_info", sockspec::tcp_info_json(conn.server.get()));
    p.observe("bytes", bytes);
    client.close(conn.client);
    server.close(conn.server);
    server.close(listener.fd);
  });
}
