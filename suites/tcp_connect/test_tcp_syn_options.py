"""The SYN's options (RFC 9293 §3.7.1 MSS, RFC 2018 SACK-permitted, RFC 7323
timestamps and window scale), each governed by a namespace sysctl (tcp(7))."""
import pytest

# IPv4: the largest datagram (65535) less 40 header bytes; IPv6: loopback MTU 65536 less 60.
LOOPBACK_MSS = {"inet": 65535 - 20 - 20, "inet6": 65536 - 40 - 20}
SYSCTL_OPTION = {"tcp_sack": "sackok", "tcp_timestamps": "ts", "tcp_window_scaling": "wscale"}
NEGOTIATED = {"tcp_sack": "sack", "tcp_timestamps": "timestamps", "tcp_window_scaling": "wscale"}


def handshake_options(run):
    conn = run.connection()
    syn, synack = conn.segments[0], conn.segments[1]
    assert syn.flags_exactly("SYN") and synack.has("SYN", "ACK")
    return syn.options, synack.options


@pytest.mark.behaviour("tcp_syn_options")
def test_tcp_syn_options(probe, family, claims):
    run = probe()
    syn, synack = handshake_options(run)
    for opts, who in ((syn, "SYN"), (synack, "SYN+ACK")):
        assert opts.get("mss") == LOOPBACK_MSS[family], f"the {who} carries MSS = loopback MTU less headers"
        assert opts.get("sackok") is True, f"the {who} carries SACK-permitted"
        assert "ts" in opts, f"the {who} carries timestamps"
        assert opts.get("wscale") == 10, f"the {who} carries window scale"
    assert synack["ts"][1] == syn["ts"][0], \
        "the SYN+ACK echoes the SYN's timestamp"
    assert run["negotiated"]["timestamps"] and run["negotiated"]["sack"] and run["negotiated"]["wscale"], \
        "TCP_INFO: both ends agreed on all three"
    assert run["negotiated"]["snd_wscale"] == run["negotiated"]["rcv_wscale"] == 10


@pytest.mark.behaviour("tcp_syn_options")
@pytest.mark.parametrize("sysctl", sorted(SYSCTL_OPTION))
@pytest.mark.control("net.ipv4.tcp_sack / tcp_timestamps / tcp_window_scaling = 0 in the namespace")
def test_tcp_syn_options_sysctl_off_control(probe, family, sysctl):
    """The check 'the SYN carries option X' fails for the one option whose
    sysctl is 0; the others and MSS stay."""
    run = probe(sysctls={f"net.ipv4.{sysctl}": 0})
    assert run[sysctl] == 0
    syn, synack = handshake_options(run)
    gone = SYSCTL_OPTION[sysctl]
    assert gone not in syn and gone not in synack, f"{sysctl}=0: neither SYN nor SYN+ACK carries {gone}"
    for other in set(SYSCTL_OPTION.values()) - {gone}:
        assert other in syn, f"{other} is still in the SYN"
    assert syn.get("mss") == LOOPBACK_MSS[family], "MSS is always sent"
    assert run["negotiated"][NEGOTIATED[sysctl]] is False, "TCP_INFO: not negotiated"
