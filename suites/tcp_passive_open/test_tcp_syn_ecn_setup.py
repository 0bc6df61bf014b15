"""RFC 3168 §6.1.1: a host that will use ECN answers an ECN-setup SYN (ECE and
CWR) with an ECN-setup SYN+ACK (ECE, not CWR). net.ipv4.tcp_ecn (ip-sysctl.rst):
1 requests and accepts ECN, 2 (the default) accepts it when asked, 0 neither
(net/ipv4/tcp_input.c tcp_ecn_create_request())."""
import pytest

from sockspec.checks.tcp_unexpected import peer_segments


@pytest.mark.behaviour("tcp_syn_ecn_setup")
@pytest.mark.parametrize("mode", [1, 2])
def test_tcp_syn_ecn_setup(probe, family, expect, mode):
    run = probe(sysctls={"net.ipv4.tcp_ecn": mode})
    conn = run.connection()
    expect.eq("peer_syn_asks_ecn", [s.label for s in peer_segments(conn, "SYN")], ["SYN+ECE+CWR"],
              "the capture shows the peer's SYN with ECE and CWR")
    expect.eq("synack_agrees_to_ecn", run["synack_flags"], "SYN+ACK+ECE",
              f"with tcp_ecn={mode} the SYN+ACK to an ECN-setup SYN sets ECE and not CWR")


@pytest.mark.behaviour("tcp_syn_ecn_setup")
@pytest.mark.control("net.ipv4.tcp_ecn=0")
def test_tcp_syn_ecn_setup_ecn_off_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_ecn": 0})
    expect.eq("synack_without_ecn", run["synack_flags"], "SYN+ACK",
              "with tcp_ecn=0 the SYN+ACK to an ECN-setup SYN sets neither ECE nor CWR")


@pytest.mark.behaviour("tcp_syn_ecn_setup")
@pytest.mark.control("the SYN sets neither ECE nor CWR")
def test_tcp_syn_ecn_setup_plain_syn_control(probe, family, expect):
    run = probe("--plain-syn", sysctls={"net.ipv4.tcp_ecn": 1})
    expect.eq("plain_syn_gets_plain_synack", run["synack_flags"], "SYN+ACK",
              "a SYN without ECE and CWR gets a SYN+ACK without ECE, even with tcp_ecn=1")
