"""udp(7) FIONREAD: the size of the next pending datagram."""
import pytest


@pytest.mark.behaviour("udp_fionread_next_datagram")
def test_udp_fionread_next_datagram(probe, family, expect):
    run = probe()
    expect.true("both_datagrams_queued", run["both_queued"], "both datagrams were delivered before the first ioctl()")
    expect.eq("fionread_first_datagram_only", run["fionread"][0], 100,
              "FIONREAD gives the first datagram's size (100), not the 130 bytes queued")
    expect.eq("fionread_follows_reads", run["fionread"][1:], [30, 0],
              "after each read it gives the next datagram's size, then 0")


@pytest.mark.behaviour("udp_fionread_next_datagram")
@pytest.mark.control("the 30-byte datagram is sent first")
def test_udp_fionread_next_datagram_small_first_control(probe, family, expect):
    run = probe("--small-first")
    expect.true("both_datagrams_queued", run["both_queued"], "both datagrams were delivered before the first ioctl()")
    expect.eq("fionread_small_first", run["fionread"], [30, 100, 0],
              "FIONREAD follows the queue's order: 30 first when the short datagram came first")
