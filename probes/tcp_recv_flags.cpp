// recv(2) flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT on a TCP connection.
#include <atomic>
#include <thread>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_recv_flags",
      "On an established connection the server first calls recv(MSG_DONTWAIT) on its\n"
      "empty socket (EAGAIN instead of blocking). The client sends a line; the server\n"
      "reads it with MSG_PEEK and then again without: the same bytes both times. Then\n"
      "the server blocks in recv(MSG_WAITALL) for --part-a + --part-b bytes while the\n"
      "client sends them in two sends; the probe sends the second part only once the\n"
      "first has been taken off the queue by the blocked recv(). With --no-waitall the\n"
      "same recv() has no MSG_WAITALL and returns the first part alone.");
  int part_a = 100, part_b = 60;
  bool no_waitall = false;
  probe.option("--part-a", part_a, "bytes in the client's first send").range(1, 4096);
  probe.option("--part-b", part_b, "bytes in the client's second send").range(1, 4096);
  probe.flag("--no-waitall", no_waitall, "read the two parts with a plain recv() (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();

    std::string none;
    p.observe("dontwait_empty", sockspec::ret_or_errno(server.recv(sfd, &none, 100, MSG_DONTWAIT)));

    const std::string line = "peek at me\n";
    client.send(conn.client.get(), line).must();
    sockspec::wait_until([&] { return sockspec::unread_bytes(sfd) == static_cast<long>(line.size()); }, 5s);
    std::string peeked, read;
    server.recv(sfd, &peeked, 100, MSG_PEEK).must();
    p.observe("peeked", peeked);
    p.observe("queued_after_peek", sockspec::inq(server, sfd));
    server.recv(sfd, &read, 100).must();
    p.observe("read_after_peek", read);
    p.observe("queued_after_read", sockspec::inq(server, sfd));

    const std::string a(part_a, 'a'), b(part_b, 'b');
    std::string got;
    sockspec::SysResult whole;
    std::atomic<bool> returned{false};
    std::thread reader([&] {
      whole = server.recv(sfd, &got, a.size() + b.size(), no_waitall ? 0 : MSG_WAITALL);
      returned = true;
    });
    client.send(conn.client.get(), a).must();
    // The first part has been taken off the queue: the recv() returned with
    // it, or, while it blocks, the part is acknowledged and the queue empty.
    // Acknowledged first: a stack that delivers after send() returns (gVisor)
    // shows an empty queue before the part has arrived. Where SIOCOUTQ fails
    // (gVisor), a blocked recv() taking the part cannot be seen.
    const nlohmann::json consumed = sockspec::wait_observed([&]() -> nlohmann::json {
      if (returned) return true;
      const std::optional<long> unacked = sockspec::unacked_bytes(conn.client.get());
      if (unacked) return *unacked == 0 && sockspec::unread_bytes(sfd) == 0;
      if (no_waitall) return false;  // its return is still to come
      return sockspec::unobservable("ioctl(SIOCOUTQ) failed: the part's acknowledgement cannot be seen");
    }, 5s);
    p.observe("first_part_taken_before_second_send", consumed);
    sockspec::SysResult second = client.send(conn.client.get(), b);
    reader.join();
    p.observe("waitall_flag", !no_waitall);
    p.observe("waitall_ret", sockspec::ret_or_errno(whole));
    p.observe("part_a", part_a);
    p.observe("part_b", part_b);
    p.observe("second_send", sockspec::ret_or_errno(second));
    client.close(conn.client);
    server.close(conn.server);
  });
}
