"""ip(7) IP_PKTINFO, ipv6(7) IPV6_RECVPKTINFO: where a received datagram was sent, and on which interface."""
import pytest

from sockspec.observed import Unobservable


@pytest.mark.behaviour("udp_recv_pktinfo")
def test_udp_recv_pktinfo(probe, family, expect):
    run = probe()
    expect.eq("datagram_received", run["received"], "where did I go?", "the wildcard-bound socket receives the datagram")
    info = run["pktinfo"]
    present = isinstance(info, dict)
    expect.that("pktinfo_control_message_present", present,
                "recvmsg() returns an IP_PKTINFO (IPV6_PKTINFO) control message",
                seen="present" if present else info, expected="present")
    loopback = "127.0.0.1" if family == "inet" else "::1"
    expect.eq("pktinfo_destination_address", info.get("addr") if present else info, loopback,
              "it names the datagram's destination address, not the wildcard the socket is bound to")
    # Named, not numbered: lo's index is 1 in a Linux namespace but the
    # netstack's own number in a gVisor one, and the claim is "lo" on both.
    ifindex = info.get("ifindex") if present else info
    named = ifindex if isinstance(ifindex, Unobservable) else "lo" if ifindex == run["lo_ifindex"] else f"ifindex {ifindex}"
    expect.eq("pktinfo_interface_is_lo", named, "lo",
              "and the index of the interface it arrived on (lo)")


@pytest.mark.behaviour("udp_recv_pktinfo")
@pytest.mark.control("IP_PKTINFO / IPV6_RECVPKTINFO left off")
def test_udp_recv_pktinfo_option_off_control(probe, family, expect):
    run = probe("--no-pktinfo")
    expect.eq("datagram_received", run["received"], "where did I go?", "the wildcard-bound socket receives the datagram")
    expect.eq("no_pktinfo_without_option", run["pktinfo"], "none", "without the option no pktinfo control message comes")
