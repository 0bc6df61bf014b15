"""TCP_MAXSEG (tcp(7)): the size of the segments each end sends.

On loopback the capture shows GSO packets (several segments handed down as
one), so the wire check is that each packet is whole segments: its length a
multiple of the segment size, all but the last of a burst."""
import math

import pytest

from sockspec.checks.tcp_data import new_data_segments
from sockspec.observed import Unobservable


def _packets_of_whole_segments(lengths, mss):
    return bool(lengths) and all(n % mss == 0 for n in lengths[:-1])


def _segments_sent(tcp_info):
    """Data segments sent once: TCP_INFO's count less retransmissions (a tail
    loss probe under load); unobservable where TCP_INFO lacks either counter."""
    sent, retransmitted = tcp_info["data_segs_out"], tcp_info["total_retrans"]
    for count in (sent, retransmitted):
        if isinstance(count, Unobservable):
            return count
    return sent - retransmitted


def _sent(run, side):
    """One side's data segments by TCP_INFO and its packets' lengths in the capture."""
    packets = [s.length for s in new_data_segments(run.connection(), from_client=side == "client")]
    return {"segments": _segments_sent(run[f"{side}_tcp_info"]), "packets": packets}


@pytest.mark.behaviour("tcp_maxseg_segment_size")
def test_tcp_maxseg_segment_size(probe, family, expect):
    run = probe("--mss", 1000, "--bytes", 20000)
    client_mss, server_mss = run["client_maxseg"], run["server_maxseg"]
    expect.le("client_segment_size_at_most_1000", client_mss, 1000, "the client's segment size is at most the 1000 it set")
    expect.le("server_segment_size_at_most_1000", server_mss, 1000,
              "the server's segment size is at most the 1000 the client's SYN advertised")
    client, server = _sent(run, "client"), _sent(run, "server")
    expect.eq("client_sends_full_segments", client["segments"], math.ceil(20000 / client_mss),
              "the client sends its 20000 bytes as full segments of its size and one partial (TCP_INFO)")
    expect.eq("server_sends_full_segments", server["segments"], math.ceil(20000 / server_mss),
              "the server sends its 20000 bytes as full segments of its size and one partial (TCP_INFO)")
    expect.eq("bytes_cross", [sum(client["packets"]), sum(server["packets"])], [20000, 20000],
              "the 20000 bytes cross each way")
    expect.that("client_packets_whole_segments", _packets_of_whole_segments(client["packets"], client_mss),
                "every packet the client sends is whole segments of its size, but the last",
                seen=client["packets"], expected=f"multiples of {client_mss}, but the last")
    expect.that("server_packets_whole_segments", _packets_of_whole_segments(server["packets"], server_mss),
                "every packet the server sends is whole segments of its size, but the last",
                seen=server["packets"], expected=f"multiples of {server_mss}, but the last")


@pytest.mark.behaviour("tcp_maxseg_segment_size")
@pytest.mark.control("TCP_MAXSEG not set")
def test_tcp_maxseg_segment_size_default_control(probe, family, expect):
    """Without TCP_MAXSEG the segment size is loopback's, and 20000 bytes are one segment."""
    run = probe("--mss", 0, "--bytes", 20000)
    expect.gt("segment_size_loopback", run["server_maxseg"], 20000, "the server's segment size is above 20000")
    expect.eq("server_sends_one_segment", _segments_sent(run["server_tcp_info"]), 1, "the server sends 20000 bytes in one segment")
