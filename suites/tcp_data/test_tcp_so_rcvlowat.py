"""SO_RCVLOWAT on TCP (socket(7); tcp_poll, tcp_recvmsg_locked, tcp_data_ready in the kernel)."""
import pytest

from sockspec.checks.tcp_data import new_data_segments


def _data_segments(run):
    return new_data_segments(run.connection())


@pytest.mark.behaviour("tcp_so_rcvlowat")
def test_tcp_so_rcvlowat(probe, family, expect):
    run = probe("--lowat", 100, "--first", 40, "--second", 70)
    expect.eq("c_40_bytes_queued_below_rcvlowat", run["poll_below_lowat"], "0",
              "40 bytes queued, below SO_RCVLOWAT=100: poll() reports nothing")
    expect.eq("c_110_bytes_queued_pollin", run["poll_at_lowat"], "POLLIN", "110 bytes queued: POLLIN")
    expect.eq("recv_reads_both_parts", run["recv_after_poll"], "110", "recv() then reads both parts")

    segs = _data_segments(run)
    expect.eq("two_parts_crossed_two_segments", [s.length for s in segs[:2]], [40, 70],
              "the two parts crossed as two segments")
    poll_below = run.calls("poll", "server")[0]
    expect.true("first_part_had_arrived_poll", poll_below["t_real_ns"] > segs[0].t_ns,
                "the first part had arrived when poll() said not readable")

    expect.true("blocking_recv_took_first_40", bool(run["first_part_taken"]),
                "the blocking recv() took the first 40 bytes and kept waiting")
    expect.true("linux_wakes_blocked_reader_only", not run["recv_returned_after_second"],
                "Linux wakes the blocked reader only when SO_RCVLOWAT new bytes are queued (tcp_data_ready): 40 taken + 70 queued does not end it")
    if not run["recv_returned_after_second"]:  # else the probe sent no third part: the check above failed
        expect.eq("c_100_bytes_queued_anew_recv", run["blocking_recv"], str(40 + 70 + run["third"]),
                  "once 100 bytes are queued anew the recv() returns everything it gathered")
    recvs = run.calls("recv", "server")
    expect.true("blocking_recv_returned_last_part", recvs[-1]["end_real_ns"] > segs[-1].t_ns,
                "the blocking recv() returned after the last part arrived")


@pytest.mark.behaviour("tcp_so_rcvlowat")
@pytest.mark.control("SO_RCVLOWAT=1 (the default)")
def test_tcp_so_rcvlowat_default_control(probe, family, expect):
    """With the default mark of 1 byte, the first part alone makes the socket readable."""
    run = probe("--lowat", 1, "--first", 40, "--second", 70)
    expect.eq("c_40_bytes_queued_readable", run["poll_below_lowat"], "POLLIN", "40 bytes queued: readable at once")
    expect.eq("blocking_recv_returns_first_part", run["blocking_recv"], "40",
              "a blocking recv() returns the first part alone")
