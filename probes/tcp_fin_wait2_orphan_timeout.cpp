// An orphaned FIN-WAIT-2 socket lasts net.ipv4.tcp_fin_timeout.
#include "sockspec/scenario.h"
#include "sockspec/sysctl.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_fin_wait2_orphan_timeout",
      "The client sends its FIN (shutdown(SHUT_WR)), and once the server's ACK has\n"
      "brought it to FIN-WAIT-2 it close()s; the server never closes. The client's\n"
      "socket, closed by its application (orphaned), waits in FIN-WAIT-2\n"
      "for the peer's FIN only net.ipv4.tcp_fin_timeout seconds (or TCP_LINGER2):\n"
      "Linux turns it into a timewait socket in substate FIN-WAIT-2 with that timer\n"
      "(tcp_rcv_state_process(), tcp_time_wait()). The probe reads the timer through\n"
      "sock_diag and waits until the socket is gone. With --shutdown the client uses\n"
      "shutdown(SHUT_WR) and keeps its descriptor: not orphaned, no such timer.");
  bool use_shutdown = false;
  probe.flag("--shutdown", use_shutdown, "shutdown(SHUT_WR) instead of close(): not orphaned");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    p.observe("tcp_fin_timeout", sockspec::sysctl_int("net.ipv4.tcp_fin_timeout"));

    client.shutdown(conn.client.get(), SHUT_WR).must();
    const nlohmann::json fw2 = sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "FIN-WAIT-2", 3s);
    // close() only after the FIN's ACK: it then orphans a FIN-WAIT-2 socket
    // (tcp_close() -> tcp_time_wait()). A close() from ESTABLISHED races that
    // ACK against its own socket lock, and an ACK that finds the lock held
    // leaves a full socket that resets the peer when the timeout ends
    // (tcp_keepalive_timer()): an emulated guest lost that race.
    if (!use_shutdown) client.close(conn.client);
    const auto t0 = std::chrono::steady_clock::now();
    p.actor("kernel").tcp_sockets(p.af());
    const nlohmann::json end = sockspec::describe_connection(p.af(), conn.client_addr, conn.server_addr);
    p.observe("fin_wait_2", fw2);
    p.observe("client_end", end);
    p.observe("server_state", sockspec::tcp_state(conn.server.get()));
    if (use_shutdown) return;

    const nlohmann::json gone = sockspec::wait_connection_state(p.af(), conn.client_addr, conn.server_addr, "none", 70s);
    const auto lived = std::chrono::steady_clock::now() - t0;
    p.actor("kernel").tcp_sockets(p.af());
    p.observe("gone", gone);
    p.observe("lived_ms", std::chrono::duration_cast<std::chrono::milliseconds>(lived).count());
    p.observe("server_state_after", sockspec::tcp_state(conn.server.get()));
  });
}
