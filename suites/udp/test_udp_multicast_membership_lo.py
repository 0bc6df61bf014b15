"""ip(7) IP_ADD_MEMBERSHIP, RFC 1112 §6: multicast delivery on lo follows group membership."""
import pytest

from sockspec.checks import udp as checks_udp

GROUP_DATAGRAM = "to the group"


def _to_group(run):
    return checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])


@pytest.mark.behaviour("udp_multicast_membership_lo")
def test_udp_multicast_membership_lo(probe, family, expect):
    run = probe("--loop", 1)
    expect.eq("join_on_lo_succeeds", run["join"], "ok", "IP_ADD_MEMBERSHIP on lo succeeds")
    expect.eq("multicast_loop_default_on", run["loop_default"], 1, "IP_MULTICAST_LOOP is on by default")
    expect.eq("send_to_group_via_lo", run["send_to_group"], "12",
              "with IP_MULTICAST_IF set to lo, sendto() the group succeeds")
    expect.eq("member_receives_group_datagram", run["received"], [GROUP_DATAGRAM, "fence"],
              "the member receives the group's datagram")
    expect.eq("multicast_ttl_one_on_wire", [d.ttl for d in _to_group(run)], [1],
              "the group's datagram crosses lo once, with TTL 1 (the IP_MULTICAST_TTL default)")


@pytest.mark.behaviour("udp_multicast_membership_lo")
def test_udp_multicast_membership_lo_loop_off(probe, family, expect):
    """ip(7) says IP_MULTICAST_LOOP decides whether local sockets get a copy; on lo the wire is the loop."""
    run = probe("--loop", 0)
    expect.eq("loop_off_lo_still_delivers", run["received"], [GROUP_DATAGRAM, "fence"],
              "on lo, IP_MULTICAST_LOOP 0 does not stop a local member from receiving: lo's transmission is received")


@pytest.mark.behaviour("udp_multicast_membership_lo")
@pytest.mark.control("the server does not join the group")
def test_udp_multicast_membership_lo_no_join_control(probe, family, expect):
    run = probe("--no-join")
    expect.eq("send_to_group_via_lo", run["send_to_group"], "12",
              "with IP_MULTICAST_IF set to lo, sendto() the group succeeds")
    expect.eq("non_member_misses_group_datagram", run["received"], ["fence"],
              "a socket that did not join never receives the group's datagram")
    expect.eq("group_datagram_crosses_lo", len(_to_group(run)), 1, "although it crosses lo")
