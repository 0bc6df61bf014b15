"""ip(7) IP_TOS/IP_RECVTOS, RFC 3542 IPV6_TCLASS/IPV6_RECVTCLASS: a socket's mark on the wire and at the receiver."""
import pytest

from sockspec.checks import udp as checks_udp

TOS = 0x28


def _wire_marks(run):
    return [d.tos for d in checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])]


@pytest.mark.behaviour("udp_recv_tos_tclass")
def test_udp_recv_tos_tclass(probe, family, expect):
    run = probe("--tos", TOS)
    expect.eq("sender_option_reads_back", run["sender_option_reads"], TOS, "IP_TOS (IPV6_TCLASS) reads back as set")
    expect.eq("datagram_marked_on_wire", _wire_marks(run), [TOS],
              "the datagram crosses the wire with the TOS byte (traffic class) the sender set")
    expect.eq("receiver_reads_mark", run["received_mark"], TOS,
              "the receiver's IP_TOS (IPV6_TCLASS) control message holds the mark")


@pytest.mark.behaviour("udp_recv_tos_tclass")
@pytest.mark.control("the receiver leaves IP_RECVTOS / IPV6_RECVTCLASS off")
def test_udp_recv_tos_tclass_receiver_option_off_control(probe, family, expect):
    run = probe("--tos", TOS, "--no-recvtos")
    expect.eq("datagram_marked_on_wire", _wire_marks(run), [TOS],
              "the datagram crosses the wire with the TOS byte (traffic class) the sender set")
    expect.eq("no_mark_without_receiver_option", run["received_mark"], "none",
              "without the receiver's option no TOS (traffic class) control message comes")
