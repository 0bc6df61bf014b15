"""TCP_CORK (tcp(7)): partial segments wait for the uncork."""
import pytest

from sockspec import observed
from sockspec.checks.tcp_data import new_data_segments


def _client_data(run):
    return new_data_segments(run.connection())


@pytest.mark.behaviour("tcp_cork")
def test_tcp_cork(probe, family, expect):
    run = probe("--writes", 4, "--size", 10)
    corked = run["tcp_info_corked"]
    expect.eq("nothing_sent_while_corked", corked["data_segs_out"], 0, "nothing is sent while corked")
    expect.eq("four_writes_wait_send_buffer", corked["notsent_bytes"], 40, "the four writes wait in the send buffer")
    expect.eq("received", run["received"], 40, "all 40 bytes arrive")

    data = _client_data(run)
    uncork = [c for c in run.calls("setsockopt", "client") if "TCP_CORK, [0]" in c["text"]][0]
    expect.eq("uncork_four_writes_leave_segment", [s.length for s in data], [40],
              "after the uncork the four writes leave as one segment")
    expect.true("only_tcp_cork_cleared", data[0].t_ns > uncork["t_real_ns"], "and only once TCP_CORK is cleared")


@pytest.mark.behaviour("tcp_cork")
def test_tcp_cork_full_segments(probe, family, expect):
    run = probe("--mss", 1000, "--writes", 1, "--size", 2500)
    corked = run["tcp_info_corked"]
    uncork = [c for c in run.calls("setsockopt", "client") if "TCP_CORK, [0]" in c["text"]][0]
    data = _client_data(run)
    sent_corked = [s.length for s in data if s.t_ns < uncork["t_real_ns"]]
    before = sum(sent_corked)
    counted = corked["data_segs_out"]
    seen = {"lengths_before_uncork": sent_corked}
    if not isinstance(counted, observed.Unobservable):  # the wire decides where TCP_INFO has no counter
        seen["data_segs_out"] = counted
    expect.that("full_sized_segments_leave_while", bool(sent_corked) and seen.get("data_segs_out", 1) >= 1,
                "full-sized segments leave while corked", seen=seen,
                expected="at least one segment before the uncork, counted in tcpi_data_segs_out")
    held = corked["notsent_bytes"]
    if isinstance(held, observed.Unobservable):
        # The wire alone still says what was held: what left at the uncork.
        held = 2500 - before
    else:
        expect.eq("notsent_bytes_2500", before + held, 2500, "all 2500 bytes are sent or waiting to be")
    expect.that("only_partial_segments_bytes_held", bool(sent_corked) and 0 < held < max(sent_corked),
                "only the partial segment's bytes are held",
                seen={"held": held, "segments_before_uncork": sent_corked}, expected="0 < held < a segment")
    after = [s for s in data if s.t_ns > uncork["t_real_ns"]]
    expect.eq("remainder_leaves_uncork", [s.length for s in after], [held],
              "the remainder leaves at the uncork")


@pytest.mark.behaviour("tcp_cork")
@pytest.mark.control("TCP_NODELAY instead of TCP_CORK")
def test_tcp_cork_control(probe, family, expect):
    """Without the cork (and without Nagle), each small write leaves at once."""
    # Autocorking (tcp_autocorking) could merge writes while an earlier skb sits in a queue.
    run = probe("--writes", 4, "--size", 10, "--no-cork", sysctls={"net.ipv4.tcp_autocorking": 0})
    expect.eq("write_sent", run["tcp_info_corked"]["data_segs_out"], 4, "every write was sent at once")
    expect.eq("segment_per_write", [s.length for s in _client_data(run)], [10] * 4, "one segment per write")
