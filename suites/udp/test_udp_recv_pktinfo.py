"""ip(7) IP_PKTINFO, ipv6(7) IPV6_RECVPKTINFO: where a received datagram was sent, and on which interface."""
import pytest


@pytest.mark.behaviour("udp_recv_pktinfo")
def test_udp_recv_pktinfo(probe, family, expect):
    run = probe()
    expect.eq("datagram_received", run["received"], "where did I go?", "the wildcard-bound socket receives the datagram")
    info = run["pktinfo"]
    expect.ne("pktinfo_control_message_present", info, "none",
              "recvmsg() returns an IP_PKTINFO (IPV6_PKTINFO) control message")
    loopback = "127.0.0.1" if family == "inet" else "::1"
    expect.eq("pktinfo_destination_address", info.get("addr") if isinstance(info, dict) else info, loopback,
              "it names the datagram's destination address, not the wildcard the socket is bound to")
    expect.eq("pktinfo_interface_is_lo", info.get("ifindex") if isinstance(info, dict) else info, run["lo_ifindex"],
              "and the index of the interface it arrived on (lo)")


@pytest.mark.behaviour("udp_recv_pktinfo")
@pytest.mark.control("IP_PKTINFO / IPV6_RECVPKTINFO left off")
def test_udp_recv_pktinfo_option_off_control(probe, family, expect):
    run = probe("--no-pktinfo")
    expect.eq("datagram_received", run["received"], "where did I go?", "the wildcard-bound socket receives the datagram")
    expect.eq("no_pktinfo_without_option", run["pktinfo"], "none", "without the option no pktinfo control message comes")
