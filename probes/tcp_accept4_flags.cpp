// accept4() sets O_NONBLOCK and FD_CLOEXEC on the new descriptor; accept() does not inherit the listener's O_NONBLOCK.
#include <fcntl.h>

#include "sockspec/calls.h"
#include "sockspec/scenario.h"
#include "sockspec/wait.h"

using namespace std::chrono_literals;

namespace {
nlohmann::json flags_of(sockspec::Actor& a, int fd) {
  const long fl = sockspec::get_fl(a, fd).must();
  const long fdf = sockspec::get_fd_flags(a, fd).must();
  return {{"O_NONBLOCK", (fl & O_NONBLOCK) != 0}, {"FD_CLOEXEC", (fdf & FD_CLOEXEC) != 0}};
}
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_accept4_flags",
      "The listener is made non-blocking and close-on-exec. Two clients connect.\n"
      "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) takes the first: fcntl() shows O_NONBLOCK\n"
      "and FD_CLOEXEC on the new descriptor. Plain accept() takes the second: on\n"
      "Linux the new descriptor has neither, whatever the listener has (accept(2)\n"
      "NOTES: file status flags are not inherited). An accept4() with a flag other\n"
      "than those two fails with EINVAL.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    server.set_nonblocking(listener.fd.get()).must();
    server.record("fcntl", {{"fd", listener.fd.get()}, {"cmd", "F_SETFD"}, {"arg", "FD_CLOEXEC"}},
                  "fcntl(" + std::to_string(listener.fd.get()) + ", F_SETFD, FD_CLOEXEC)",
                  [&] { return ::fcntl(listener.fd.get(), F_SETFD, FD_CLOEXEC); }).must();
    p.observe("listener", flags_of(server, listener.fd.get()));

    std::vector<sockspec::UniqueFd> clients;
    nlohmann::json addrs = nlohmann::json::array();
    for (int i = 1; i <= 2; ++i) {
      auto& client = p.actor("client-" + std::to_string(i));
      clients.push_back(sockspec::connect_to(client, listener.addr));
      sockspec::SockAddr local;
      client.getsockname(clients.back().get(), &local).must();
      addrs.push_back(local.to_string());
    }
    p.observe("server_addr", listener.addr.to_string());
    p.observe("client_addr", addrs[0]);
    p.observe("client_addrs", addrs);
    sockspec::wait_listener_queued(listener.fd.get(), 2, 3s);

    sockspec::UniqueFd a4 = server.accept4(listener.fd.get(), SOCK_NONBLOCK | SOCK_CLOEXEC).fd();
    p.observe("accept4", flags_of(server, a4.get()));
    sockspec::UniqueFd a = server.accept(listener.fd.get()).fd();
    p.observe("accept", flags_of(server, a.get()));
    p.observe("accept4_bad_flags", sockspec::outcome(server.accept4(listener.fd.get(), O_APPEND)));
    server.close(a4);
    server.close(a);
  });
}
