"""The SYN's options (RFC 9293 §3.7.1 MSS, RFC 2018 SACK-permitted, RFC 7323
timestamps and window scale), each governed by a namespace sysctl (tcp(7))."""
import pytest

from sockspec import observed

# IPv4: the largest datagram (65535) less 40 header bytes; IPv6: loopback MTU 65536 less 60.
LOOPBACK_MSS = {"inet": 65535 - 20 - 20, "inet6": 65536 - 40 - 20}
SYSCTL_OPTION = {"tcp_sack": "sackok", "tcp_timestamps": "ts", "tcp_window_scaling": "wscale"}
LARGE_TCP_RMEM = "4096 131072 134217728"
NEGOTIATED = {"tcp_sack": "sack", "tcp_timestamps": "timestamps", "tcp_window_scaling": "wscale"}


def window_scale_for_buffers(run):
    """The shift Linux offers (tcp_select_initial_window()): the smallest that
    fits its largest receive buffer, max(tcp_rmem[2], rmem_max), in the 16-bit
    window, at most 14. It follows memory, which sizes tcp_rmem: 10 on this
    24 GiB host, 7 in a 1 GiB guest."""
    rmem, rmem_max = run["tcp_rmem"], run["rmem_max"]
    if isinstance(rmem, observed.Unobservable):
        return rmem
    if isinstance(rmem_max, observed.Unobservable):
        return rmem_max
    space = max(int(rmem.split()[2]), rmem_max)
    return min(max(space.bit_length() - 1 - 15, 0), 14)


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
    wscale = window_scale_for_buffers(run)
    for opts, who in ((syn, "SYN"), (synack, "SYN+ACK")):
        expect.eq("carries_mss_loopback_mtu_less", opts.get("mss"), LOOPBACK_MSS[family],
                  "the SYN and the SYN+ACK carry MSS = loopback MTU less headers")
        expect.true("carries_sack_permitted", opts.get("sackok"), "the SYN and the SYN+ACK carry SACK-permitted")
        expect.is_in("carries_timestamps", "ts", opts, "the SYN and the SYN+ACK carry timestamps")
        expect.eq("carries_window_scale", opts.get("wscale"), wscale,
                  "the SYN and the SYN+ACK carry the window scale that fits the largest receive buffer")
    expect.eq("syn_ack_echoes_syns_timestamp", synack["ts"][1], syn["ts"][0],
              "the SYN+ACK echoes the SYN's timestamp")
    expect.true("tcp_info_both_ends_agreed", bool(run["negotiated"]["timestamps"] and run["negotiated"]["sack"] and run["negotiated"]["wscale"]),
                "TCP_INFO: both ends agreed on all three")
    expect.eq("negotiated_snd_wscale", [run["negotiated"]["snd_wscale"], run["negotiated"]["rcv_wscale"]],
              [wscale, wscale], "both directions negotiate that window scale")


@pytest.mark.behaviour("tcp_syn_options")
@pytest.mark.control("net.ipv4.tcp_rmem's limit at 128 MiB in the namespace")
def test_tcp_syn_options_large_rmem_control(probe, family, expect):
    """The window scale check is not a constant: with a 128 MiB buffer limit
    (above rmem_max) the SYN offers 12, not the 10 or 7 of the defaults."""
    run = probe(sysctls={"net.ipv4.tcp_rmem": LARGE_TCP_RMEM})
    rmem = run["tcp_rmem"]
    expect.eq("tcp_rmem_applied", rmem.split() if isinstance(rmem, str) else rmem, LARGE_TCP_RMEM.split(),
              "the namespace's tcp_rmem reads back as set")
    syn, synack = handshake_options(run, expect=expect)
    expect.eq("offers_larger_window_scale", [syn.get("wscale"), synack.get("wscale")],
              [window_scale_for_buffers(run)] * 2,
              "the SYN and the SYN+ACK offer the window scale that fits the larger buffer")


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
