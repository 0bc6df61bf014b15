// A peer's tiny MSS is raised to net.ipv4.tcp_min_snd_mss (CVE-2019-11479):
// the kernel never sends segments smaller than that floor.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_mss_floor",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which answers the kernel's SYN with a SYN+ACK offering MSS --mss and no\n"
      "other option, and reads the kernel's ACK. The client send()s 300 bytes and\n"
      "the peer reads the first data segment without acknowledging it. The probe\n"
      "observes that segment's length and TCP_INFO's snd_mss. The suite runs it\n"
      "with MSS 1 (the kernel's floor applies), with the floor raised by sysctl,\n"
      "and with MSS 100 (the control: above the floor, used as is).");
  int mss = 1;
  probe.option("--mss", mss, "the MSS option of the peer's SYN+ACK").range(1, 65535);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    sockspec::TcpOptions synack_options;
    synack_options.mss = static_cast<uint16_t>(mss);
    sockspec::accept_from_kernel(peer, open, synack_options);

    p.client().send(open.client.fd.get(), std::string(300, 'm')).must();
    const std::vector<sockspec::PeerSegment> data =
        sockspec::receive_data(peer, open.flow, 1, std::chrono::seconds(3));
    p.observe("first_data_len", data.empty() ? nlohmann::json("none") : nlohmann::json(data[0].payload.size()));
    const nlohmann::json congestion = sockspec::tcp_congestion_json(open.client.fd.get());
    p.observe("snd_mss", congestion.contains("snd_mss") ? congestion["snd_mss"] : congestion);
  });
}
