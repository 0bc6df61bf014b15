"""SO_RCVLOWAT on TCP (socket(7); tcp_poll, tcp_recvmsg_locked, tcp_data_ready in the kernel)."""
import pytest

from sockspec.tcp_data_flow import new_data_segments


def _data_segments(run):
    return new_data_segments(run.connection())


@pytest.mark.behaviour("tcp_so_rcvlowat")
def test_tcp_so_rcvlowat(probe, family):
    run = probe("--lowat", 100, "--first", 40, "--second", 70)
    assert run["poll_below_lowat"] == "0", "40 bytes queued, below SO_RCVLOWAT=100: poll() reports nothing"
    assert run["poll_at_lowat"] == "POLLIN", "110 bytes queued: POLLIN"
    assert run["recv_after_poll"] == "110", "recv() then reads both parts"

    segs = _data_segments(run)
    assert [s.length for s in segs[:2]] == [40, 70], "the two parts crossed as two segments"
    poll_below = run.calls("poll", "server")[0]
    assert poll_below["t_real_ns"] > segs[0].t_ns, "the first part had arrived when poll() said not readable"

    assert run["first_part_taken"], "the blocking recv() took the first 40 bytes and kept waiting"
    assert not run["recv_returned_after_second"], \
        "Linux wakes the blocked reader only when SO_RCVLOWAT new bytes are queued (tcp_data_ready): " \
        "40 taken + 70 queued does not end it"
    assert run["blocking_recv"] == str(40 + 70 + run["third"]), \
        "once 100 bytes are queued anew the recv() returns everything it gathered"
    recvs = run.calls("recv", "server")
    assert recvs[-1]["end_real_ns"] > segs[-1].t_ns, "the blocking recv() returned after the last part arrived"


@pytest.mark.behaviour("tcp_so_rcvlowat")
@pytest.mark.control("SO_RCVLOWAT=1 (the default)")
def test_tcp_so_rcvlowat_default_control(probe, family):
    """With the default mark of 1 byte, the first part alone makes the socket readable."""
    run = probe("--lowat", 1, "--first", 40, "--second", 70)
    assert run["poll_below_lowat"] == "POLLIN", "40 bytes queued: readable at once"
    assert run["blocking_recv"] == "40", "a blocking recv() returns the first part alone"
