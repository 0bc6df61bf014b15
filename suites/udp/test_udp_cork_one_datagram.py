"""udp(7) UDP_CORK: sends gathered into one datagram until the cork is removed."""
import pytest

from sockspec.checks import udp as checks_udp


def _wire(run):
    return [d.payload for d in checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])]


@pytest.mark.behaviour("udp_cork_one_datagram")
def test_udp_cork_one_datagram(probe, family, expect):
    run = probe()
    expect.eq("nothing_sent_while_corked", run["readable_while_corked"], "EAGAIN",
              "while corked nothing reaches the receiver")
    expect.eq("one_datagram_on_wire", _wire(run), [b"one,two,three"],
              "clearing UDP_CORK sends the three pieces as one datagram")
    expect.eq("one_read_gets_all", run["reads"], ["one,two,three"], "the receiver reads them with one recv()")
    uncork = run.calls("setsockopt", "client")[-1]
    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.true("datagram_leaves_at_uncork", bool(wire and wire[0].t_ns >= uncork["t_real_ns"]),
                "the datagram leaves when the cork is removed, not at the sends")


@pytest.mark.behaviour("udp_cork_one_datagram")
@pytest.mark.control("UDP_CORK not set")
def test_udp_cork_one_datagram_uncorked_control(probe, family, expect):
    run = probe("--no-cork")
    expect.eq("three_datagrams_on_wire", _wire(run), [b"one,", b"two,", b"three"],
              "uncorked, each send() is a datagram of its own")
    expect.eq("three_reads", run["reads"], ["one,", "two,", "three"], "and the receiver reads three")
