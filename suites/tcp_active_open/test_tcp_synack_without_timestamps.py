"""RFC 7323 §3.2: a TCP that sent a Timestamps option in its SYN may send it
in later segments only if the SYN+ACK carried one too ("Once TSopt has been
successfully negotiated ... MUST be sent in every non-<RST> segment"; without
it, none); net/ipv4/tcp_input.c tcp_rcv_synsent_state_process():
tp->rx_opt.saw_tstamp decides tstamp_ok and tcp_header_len."""
import pytest


@pytest.mark.behaviour("tcp_synack_without_timestamps")
def test_tcp_synack_without_timestamps(probe, family, expect):
    run = probe()
    expect.eq("syn_offers_timestamps", run["syn_offers_timestamps"], True,
              "the kernel's SYN offers timestamps (net.ipv4.tcp_timestamps=1, the default)")
    expect.eq("ack_without_timestamp", run["ack_timestamped"], False,
              "after a SYN+ACK without timestamps the kernel's ACK carries none")
    expect.eq("data_without_timestamp", run["data_timestamped"], False,
              "after a SYN+ACK without timestamps the kernel's data carries none")


@pytest.mark.behaviour("tcp_synack_without_timestamps")
@pytest.mark.control("the SYN+ACK echoes the SYN's timestamp")
def test_tcp_synack_without_timestamps_echoed_control(probe, family, expect):
    run = probe("--timestamps")
    expect.eq("ack_timestamped", run["ack_timestamped"], True,
              "after a SYN+ACK with timestamps the kernel's ACK carries one")
    expect.eq("data_timestamped", run["data_timestamped"], True,
              "after a SYN+ACK with timestamps the kernel's data carries one")
