// The SYN carries MSS, SACK-permitted, timestamps and window scale; each follows its sysctl.
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_syn_options",
      "A client connects to a listener on loopback; the capture shows the options of\n"
      "the SYN and the SYN+ACK, and TCP_INFO (tcpi_options) shows what both ends\n"
      "agreed on. MSS is always sent (RFC 9293 3.7.1); SACK-permitted (RFC 2018),\n"
      "timestamps and window scale (RFC 7323) are sent when the namespace's\n"
      "net.ipv4.tcp_sack, tcp_timestamps and tcp_window_scaling are on (tcp(7)), and\n"
      "each disappears when its sysctl is 0. The same sysctls govern IPv6.");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    for (const char* name : {"net.ipv4.tcp_sack", "net.ipv4.tcp_timestamps", "net.ipv4.tcp_window_scaling"})
      p.observe(std::string(name).substr(9), sockspec::sysctl_int(name));
    // The receive buffer limits the window scale is chosen from (it varies with memory).
    p.observe("tcp_rmem", sockspec::sysctl_text("net.ipv4.tcp_rmem"));
    p.observe("rmem_max", sockspec::sysctl_int("net.core.rmem_max"));
    auto info = sockspec::read_tcp_info(conn.client.get());
    if (info) {
      p.observe("negotiated", {{"timestamps", (info->tcpi_options & TCPI_OPT_TIMESTAMPS) != 0},
                               {"sack", (info->tcpi_options & TCPI_OPT_SACK) != 0},
                               {"wscale", (info->tcpi_options & TCPI_OPT_WSCALE) != 0},
                               {"snd_wscale", static_cast<int>(info->tcpi_snd_wscale)},
                               {"rcv_wscale", static_cast<int>(info->tcpi_rcv_wscale)}});
      p.observe("advmss", info->tcpi_advmss);
    }
    p.client().close(conn.client);
    p.server().close(conn.server);
    p.server().close(listener.fd);
  });
}
