// SO_RCVLOWAT: poll() and a blocking recv() wait until that many bytes are queued.
#include <sys/ioctl.h>

#include <atomic>
#include <thread>

#include "sockspec/tcp_data_util.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_so_rcvlowat",
      "The server sets SO_RCVLOWAT to --lowat. The client sends --first bytes: once they\n"
      "are queued, poll(POLLIN, 0) still reports nothing. It sends --second more (the\n"
      "total reaching the mark): poll(POLLIN) returns and recv() reads both parts. Then\n"
      "the same with a blocking recv(): it takes the first part and waits. Linux wakes it\n"
      "only when --lowat NEW bytes are queued, so after the second part it keeps waiting;\n"
      "the probe then sends a third part (--lowat - --second bytes). With --lowat 1 (the default of every socket) the first part\n"
      "alone makes the socket readable and ends the recv().");
  int lowat = 100, first = 40, second = 70;
  probe.option("--lowat", lowat, "the server's SO_RCVLOWAT").range(1, 65536);
  probe.option("--first", first, "bytes of the first send").range(1, 65536);
  probe.option("--second", second, "bytes of the second send").range(1, 65536);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    const int sfd = conn.server.get(), cfd = conn.client.get();
    auto queued = [&] { int n = -1; ::ioctl(sfd, FIONREAD, &n); return n; };
    server.setsockopt(sfd, SOL_SOCKET, SO_RCVLOWAT, lowat).must();
    const std::string a(first, 'a'), b(second, 'b');

    // poll()
    client.send(cfd, a).must();
    sockspec::wait_until([&] { return queued() == first; }, 5s);
    short revents = 0;
    server.poll(sfd, POLLIN, 0, &revents);
    p.observe("poll_below_lowat", sockspec::poll_events_name(revents));
    client.send(cfd, b).must();
    // Both parts queued before poll() and recv() look: a stack that delivers
    // after send() returns (gVisor) would otherwise have the recv() take the
    // first part alone, and leave the second for the blocking recv() below.
    sockspec::wait_until([&] { return queued() == first + second; }, 5s);
    server.poll(sfd, POLLIN, 5000, &revents);
    p.observe("poll_at_lowat", sockspec::poll_events_name(revents));
    std::string got;
    p.observe("recv_after_poll", sockspec::ret_or_errno(server.recv(sfd, &got, 4096)));

    // A blocking recv().
    std::string got2;
    sockspec::SysResult r;
    std::atomic<bool> done{false};
    // The first part is queued before recv() starts (a reader already asleep is
    // not woken for less than SO_RCVLOWAT bytes); recv() copies it and waits.
    client.send(cfd, a).must();
    sockspec::wait_until([&] { return queued() == first; }, 5s);
    std::thread reader([&] { r = server.recv(sfd, &got2, 4096); done = true; });
    const bool taken = sockspec::wait_until([&] { return queued() == 0; }, 5s);
    p.observe("first_part_taken", taken);
    client.send(cfd, b).must();
    // Linux wakes a reader only when SO_RCVLOWAT bytes are queued (tcp_data_ready),
    // not counting what the blocked recv() already took: give it time, then top up.
    sockspec::wait_until([&] { return queued() == 0 && done.load(); }, 300ms);
    p.observe("recv_returned_after_second", done.load());
    if (!done.load() && lowat > second) {
      p.observe("third", lowat - second);
      client.send(cfd, std::string(lowat - second, 'c')).must();
    }
    reader.join();
    p.observe("blocking_recv", sockspec::ret_or_errno(r));
    p.observe("lowat", lowat);
    p.observe("first", first);
    p.observe("second", second);
    client.close(conn.client);
    server.close(conn.server);
  });
}
