// FIONREAD on a UDP socket gives the size of the next datagram, not of all queued bytes.
#include "sockspec/calls.h"
#include "sockspec/counters.h"
#include "sockspec/datagram.h"
#include "sockspec/scenario.h"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  sockspec::Probe probe("udp_fionread_next_datagram",
      "The client sends two datagrams, 100 and 30 bytes (--small-first: 30, then\n"
      "100). The probe waits until both are delivered (Ip InDelivers), then the server\n"
      "asks ioctl(FIONREAD) (SIOCINQ) before each read and once after: the first\n"
      "answer is the size of the first datagram alone, not the 130 bytes queued, the\n"
      "next the second's, the last 0.");
  bool small_first = false;
  probe.flag("--small-first", small_first, "send the 30-byte datagram first (the control)");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    auto [rx, tx] = sockspec::udp_pair(p);
    std::vector<std::string> sent = {std::string(100, 'L'), std::string(30, 's')};
    if (small_first) std::swap(sent[0], sent[1]);
    const auto delivered0 = sockspec::read_net_counter(p.family(), "Ip", "InDelivers");
    for (const auto& d : sent) client.sendto(tx.fd.get(), d, 0, rx.addr).must();
    p.observe("both_queued", sockspec::wait_for_growth(p.family(), "Ip", "InDelivers", delivered0, 2, 5s));

    nlohmann::json fionread = nlohmann::json::array();
    for (size_t i = 0; i < sent.size(); ++i) {
      fionread.push_back(sockspec::inq(server, rx.fd.get()));
      std::string data;
      server.recv(rx.fd.get(), &data, 4096).must();
    }
    fionread.push_back(sockspec::inq(server, rx.fd.get()));
    p.observe("fionread", fionread);
    server.close(rx.fd);
    client.close(tx.fd);
  });
}
