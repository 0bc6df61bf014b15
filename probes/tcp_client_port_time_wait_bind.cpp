// A client's port held by its own TIME-WAIT: SO_REUSEADDR lets a new socket bind it and reconnect to the same peer.
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_client_port_time_wait_bind",
      "A client with SO_REUSEADDR binds a loopback port, connects to the server and\n"
      "closes first, so its end is in TIME-WAIT on that port. A new client socket\n"
      "(SO_REUSEADDR, or none with --rebind plain) binds the same address and port\n"
      "and, when that succeeds, connect()s to the same server: the 4-tuple the\n"
      "TIME-WAIT socket holds. For a socket bound by the application the kernel\n"
      "takes the timewait socket over whenever it saw TCP timestamps\n"
      "(tcp_twsk_unique() without a port search), whatever net.ipv4.tcp_tw_reuse.");
  std::string rebind = "reuseaddr";
  probe.option("--rebind", rebind, "whether the new socket sets SO_REUSEADDR").one_of({"reuseaddr", "plain"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.actor("client-2");
    p.observe("tcp_tw_reuse", sockspec::sysctl_int("net.ipv4.tcp_tw_reuse"));
    p.observe("tcp_timestamps", sockspec::sysctl_int("net.ipv4.tcp_timestamps"));
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    const sockspec::Endpoints old = sockspec::leave_client_time_wait(p, listener, [&](int fd) {
      p.client().setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1).must();
      p.client().bind(fd, p.loopback()).must();
    });
    p.observe("old_client_end", sockspec::connection_state(p.af(), old.client_addr, old.server_addr));

    sockspec::UniqueFd fd = client.socket(p.af(), SOCK_STREAM).fd();
    if (rebind == "reuseaddr") client.setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1).must();
    const sockspec::SysResult bind = client.bind(fd.get(), old.client_addr);
    p.observe("bind", sockspec::outcome(bind));
    if (!bind.ok()) return;
    p.observe("connect_same_peer", sockspec::outcome(client.connect(fd.get(), listener.addr)));
    p.observe("end_after_connect", sockspec::connection_state(p.af(), old.client_addr, old.server_addr));
  });
}
