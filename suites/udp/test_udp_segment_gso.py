"""udp(7) UDP_SEGMENT: generic segmentation offload for UDP, one send() and many datagrams."""
import pytest

from sockspec.checks import udp as checks_udp

SEGMENT, BYTES = 1000, 3500
SEGMENTS = [1000, 1000, 1000, 500]


def _wire_lengths(run):
    return [d.length for d in checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])]


@pytest.mark.behaviour("udp_segment_gso")
def test_udp_segment_gso(probe, family, expect):
    run = probe("--segment", SEGMENT, "--bytes", BYTES)
    expect.eq("udp_segment_accepted", run["set_segment"], "ok", "setsockopt(UDP_SEGMENT) is accepted")
    expect.eq("one_send_whole_buffer", run["send"], str(BYTES), "one send() takes the whole buffer")
    expect.eq("receiver_reads_segment_sized_datagrams", run["read_lengths"], SEGMENTS,
              "the receiver reads datagrams of the segment size, the last one shorter")
    expect.is_in("wire_carries_buffer_once", _wire_lengths(run), [[BYTES], SEGMENTS],
                 "the capture holds the bytes once: one GSO packet (a device that takes GSO whole, as lo) "
                 "or the segments themselves")


@pytest.mark.behaviour("udp_segment_gso")
@pytest.mark.control("UDP_SEGMENT not set")
def test_udp_segment_gso_option_off_control(probe, family, expect):
    run = probe("--segment", 0, "--bytes", BYTES)
    expect.eq("receiver_reads_one_datagram", run["read_lengths"], [BYTES],
              "without UDP_SEGMENT the receiver reads one datagram of the whole buffer")
    expect.eq("wire_one_datagram", _wire_lengths(run), [BYTES], "one datagram crosses the wire")
