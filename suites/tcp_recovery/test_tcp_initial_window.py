"""The initial congestion window (RFC 6928 §2; include/net/tcp.h TCP_INIT_CWND;
the route's initcwnd, ip-route(8)): before any ACK of data the kernel sends ten
segments of the MSS and waits."""
import pytest

from sockspec.checks.tcp_unexpected import kernel_segments

MSS = 1000


def first_flight_wire(run):
    conn = run.connection()
    return [s.length for s in kernel_segments(conn) if s.length]


@pytest.mark.behaviour("tcp_initial_window")
def test_tcp_initial_window(probe, family, expect):
    run = probe()
    expect.eq("ten_segments_first_flight", run["first_flight_lengths"], [MSS] * 10,
              "before any ACK of data the kernel sends ten full segments")
    # A capture on -i any may miss the tun's last packets (the qemu guest's did), never add any.
    wire = first_flight_wire(run)
    expect.that("wire_at_most_ten_segments", len(wire) <= 10 and set(wire) <= {MSS},
                "the capture shows no full segment beyond the tenth", seen=wire, expected="at most ten segments of 1000 bytes")
    expect.eq("cwnd_ten", run["server_snd_cwnd"], 10, "TCP_INFO snd_cwnd is 10")


@pytest.mark.behaviour("tcp_initial_window")
@pytest.mark.control("the route's initcwnd 4")
def test_tcp_initial_window_route_control(probe, family, expect):
    run = probe("--initcwnd", 4)
    expect.eq("route_initcwnd_segments", run["first_flight_lengths"], [MSS] * 4,
              "with the route's initcwnd 4 the first flight is four segments")
    expect.eq("cwnd_route_initcwnd", run["server_snd_cwnd"], 4, "TCP_INFO snd_cwnd is the route's 4")
