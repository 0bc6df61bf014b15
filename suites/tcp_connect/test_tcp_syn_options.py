"""The SYN's options (RFC 9293 §3.7.1 MSS, RFC 2018 SACK-permitted, RFC 7323
timestamps and window scale), each governed by a namespace sysctl (tcp(7))."""
import pytest

# IPv4: the largest datagram (65535) less 40 header bytes; IPv6: loopback MTU 65536 less 60.
LOOPBACK_MSS = {"inet": 65535 - 20 - 20, "inet6": 65536 - 40 - 20}
SYSCTL_OPTION = {"tcp_sack": "sackok", "tcp_timestamps": "ts", "tcp_window_scaling": "wscale"}
NEGOTIATED = {"tcp_sack": "sack", "tcp_timestamps": "timestamps", "tcp_window_scaling": "wscale"}


def handshake_options(run, expect):
    conn = run.connection()
    syn, synack = conn.segments[0], conn.segments[1]
    expect.true("syn_then_syn_ack", bool(syn.flags_exactly("SYN") and synack.has("SYN", "ACK")),
                "the handshake opens with a plain SYN and a SYN+ACK")
    return syn.options, synack.options


@pytest.mark.behaviour("tcp_syn_options")
def test_tcp_syn_options(probe, family, expect):
    run = probe()
    syn, synack = handshake_options(run, expect=expect)
    for opts, who in ((syn, "SYN"), (synack, "SYN+ACK")):
        expect.eq("carries_mss_loopback_mtu_less", opts.get("mss"), LOOPBACK_MSS[family],
                  "the SYN and the SYN+ACK carry MSS = loopback MTU less headers")
        expect.true("carries_sack_permitted", opts.get("sackok"), "the SYN and the SYN+ACK carry SACK-permitted")
        expect.is_in("carries_timestamps", "ts", opts, "the SYN and the SYN+ACK carry timestamps")
        expect.eq("carries_window_scale", opts.get("wscale"), 10, "the SYN and the SYN+ACK carry window scale 10")
    expect.eq("syn_ack_echoes_syns_timestamp", synack["ts"][1], syn["ts"][0],
              "the SYN+ACK echoes the SYN's timestamp")
    expect.true("tcp_info_both_ends_agreed", bool(run["negotiated"]["timestamps"] and run["negotiated"]["sack"] and run["negotiated"]["wscale"]),
                "TCP_INFO: both ends agreed on all three")
    expect.true("negotiated_snd_wscale", run["negotiated"]["snd_wscale"] == run["negotiated"]["rcv_wscale"] == 10,
                "both directions negotiate window scale 10")


@pytest.mark.behaviour("tcp_syn_options")
@pytest.mark.parametrize("sysctl", sorted(SYSCTL_OPTION))
@pytest.mark.control("net.ipv4.tcp_sack / tcp_timestamps / tcp_window_scaling = 0 in the namespace")
def test_tcp_syn_options_sysctl_off_control(probe, family, sysctl, expect):
    """The check 'the SYN carries option X' fails for the one option whose
    sysctl is 0; the others and MSS stay."""
    run = probe(sysctls={f"net.ipv4.{sysctl}": 0})
    expect.eq("sysctl_off", run[sysctl], 0, "the namespace's sysctl reads 0")
    syn, synack = handshake_options(run, expect=expect)
    gone = SYSCTL_OPTION[sysctl]
    expect.eq("option_gone", [gone in syn, gone in synack], [False, False],
              "with the sysctl at 0 neither the SYN nor the SYN+ACK carries its option")
    others = sorted(set(SYSCTL_OPTION.values()) - {gone})
    expect.eq("other_options_stay", [o for o in others if o in syn], others,
              "the other options are still in the SYN")
    expect.eq("mss_always_sent", syn.get("mss"), LOOPBACK_MSS[family], "MSS is always sent")
    expect.false("tcp_info_not_negotiated", run["negotiated"][NEGOTIATED[sysctl]], "TCP_INFO: not negotiated")
