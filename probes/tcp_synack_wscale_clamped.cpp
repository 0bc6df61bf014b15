// RFC 7323 §2.3: a window scale above 14 is used as 14, so windows stay below 2^30.
#include "sockspec/peer.h"
#include "sockspec/tcp_info.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_synack_wscale_clamped",
      "A non-blocking client on the peer's link connect()s to the scripted peer,\n"
      "which answers the kernel's SYN with a SYN+ACK offering window scale\n"
      "--wscale and reads the kernel's ACK. The peer then sends an ACK with window\n"
      "field 1024, and a barrier. The probe observes TCP_INFO's snd_wscale and\n"
      "snd_wnd: the window the kernel took from that field. With --wscale 7 (the\n"
      "control) the shift is used as offered.");
  int wscale = 15;
  probe.option("--wscale", wscale, "the window scale option of the peer's SYN+ACK").range(0, 255);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Peer peer(p);
    sockspec::KernelOpen open = sockspec::syn_from_kernel(p, peer);
    sockspec::TcpOptions synack_options;
    synack_options.wscale = static_cast<uint8_t>(wscale);
    sockspec::accept_from_kernel(peer, open, synack_options);

    // Larger than the SYN+ACK's unscaled 65535 at either shift, so the kernel takes it.
    sockspec::send_ack(peer, open.flow, open.flow.rcv_nxt, 1024);
    peer.barrier();
    const std::optional<tcp_info> info = sockspec::read_tcp_info(open.client.fd.get());
    p.observe("snd_wscale", info ? nlohmann::json(info->tcpi_snd_wscale)
                                 : nlohmann::json{{"unobservable", "getsockopt(TCP_INFO) failed"}});
    const nlohmann::json window = sockspec::tcp_info_json(open.client.fd.get());
    p.observe("snd_wnd", window.contains("snd_wnd") ? window["snd_wnd"] : window);
  });
}
