// send(MSG_OOB): the URG flag and urgent pointer, recv(MSG_OOB), SO_OOBINLINE.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_urgent_oob",
      "The client sends --data with MSG_OOB: the segment carries the URG flag and an\n"
      "urgent pointer, and only the last byte is the urgent (\"out-of-band\") byte. The\n"
      "server waits for POLLPRI, reads with recv(MSG_OOB) (that single byte) and then\n"
      "normally (the bytes before it). With --oobinline the server's socket has\n"
      "SO_OOBINLINE: the urgent byte stays in the stream (in-line reads stop at the\n"
      "urgent mark, so it comes in a read of its own), and recv(MSG_OOB) fails with EINVAL.");
  std::string data = "abc";
  bool oobinline = false;
  probe.option("--data", data, "what the client sends with MSG_OOB");
  probe.flag("--oobinline", oobinline, "set SO_OOBINLINE on the server's socket");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();
    if (oobinline) server.setsockopt(sfd, SOL_SOCKET, SO_OOBINLINE, 1).must();

    client.send(conn.client.get(), data, MSG_OOB).must();
    short revents = 0;
    server.poll(sfd, POLLIN | POLLPRI, 5000, &revents);
    p.observe("poll_revents", sockspec::poll_events_name(revents));
    // One segment carries all of it: once POLLPRI is up, every byte is queued.
    p.observe("queued", sockspec::inq(server, sfd));

    std::string oob;
    sockspec::SysResult r = server.recv(sfd, &oob, 1, MSG_OOB);
    p.observe("recv_oob", r.ok() ? nlohmann::json(oob) : nlohmann::json(sockspec::errno_name(r.err)));
    // In-line reads stop at the urgent mark: read until the queue is empty.
    nlohmann::json reads = nlohmann::json::array();
    for (int i = 0; i < 4; ++i) {
      std::string part;
      if (server.recv(sfd, &part, 100, MSG_DONTWAIT).ret <= 0) break;
      reads.push_back(part);
    }
    p.observe("inline_reads", reads);
    p.observe("sent", data);
    p.observe("oobinline", oobinline);
    client.close(conn.client);
    server.close(conn.server);
  });
}
