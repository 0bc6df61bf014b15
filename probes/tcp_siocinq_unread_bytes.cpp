// SIOCINQ: the bytes queued on a TCP socket that a read has not taken yet.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_siocinq_unread_bytes",
      "The client sends --first bytes; once they are queued the server asks SIOCINQ\n"
      "(FIONREAD), reads --read bytes and asks again; the client sends --second more\n"
      "and the server asks a third time, then reads everything and asks a last time.\n"
      "With --peek the server's read is recv(MSG_PEEK), which leaves the bytes queued.");
  int first = 100, read = 30, second = 50;
  bool peek = false;
  probe.option("--first", first, "bytes of the first send()").range(1, 10000);
  probe.option("--read", read, "bytes the server reads after the first").range(1, 10000);
  probe.option("--second", second, "bytes of the second send()").range(1, 10000);
  probe.flag("--peek", peek, "read with MSG_PEEK (negative control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int sfd = conn.server.get();
    auto queued_at_least = [&](long n) {
      sockspec::wait_until([&] { return sockspec::unread_bytes(sfd).value_or(n) >= n; }, 5s);
    };
    client.send(conn.client.get(), std::string(first, 'a')).must();
    queued_at_least(first);
    p.observe("inq_after_first", sockspec::inq(server, sfd));
    std::string got;
    p.observe("read", sockspec::ret_or_errno(server.recv(sfd, &got, read, peek ? MSG_PEEK : 0)));
    p.observe("inq_after_read", sockspec::inq(server, sfd));
    client.send(conn.client.get(), std::string(second, 'b')).must();
    queued_at_least(first - (peek ? 0 : read) + second);
    p.observe("inq_after_second", sockspec::inq(server, sfd));
    got.clear();
    while (server.recv(sfd, &got, 1 << 16, MSG_DONTWAIT).ok()) {}
    p.observe("inq_after_all_read", sockspec::inq(server, sfd));
    client.close(conn.client);
    server.close(conn.server);
  });
}
