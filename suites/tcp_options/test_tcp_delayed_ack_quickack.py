"""Delayed ACK and TCP_QUICKACK (RFC 1122 §4.2.3.2, tcp(7); __tcp_ack_snd_check in tcp_input.c).

Whether the ACK came from the delayed-ACK timer is read from the namespace's
TcpExt DelayedACKs counter, not guessed from timings."""
import pytest

MS = 1_000_000


def _small_and_ack(run, expect):
    conn = run.connection()
    small = [s for s in conn.segments if conn.from_client(s) and s.payload.startswith(b"small")][-1]
    i = conn.segments.index(small)
    ack = conn.first(lambda s: not conn.from_client(s)
                     and conn.rel_ack(s) >= conn.rel_seq(small) + small.length, i + 1)
    expect.true("small_segment_acknowledged", ack is not None, "the small segment is acknowledged")
    return small, conn.segments[ack]


def _interactive(measured, expect):
    expect.true("server_interactive", measured["interactive"],
                "the exchanges made the server interactive before the segment (getsockopt(TCP_QUICKACK) reads 0)",
                source="net/ipv4/tcp.c do_tcp_getsockopt(): TCP_QUICKACK is !inet_csk_in_pingpong_mode()")


@pytest.mark.behaviour("tcp_delayed_ack_quickack")
def test_tcp_delayed_ack_quickack(probe, family, expect):
    run = probe("--exchanges", 5)
    m = run["measured"]
    _interactive(m, expect)
    expect.true("ack_sent_delayed_ack_timer", bool(m["acked"] and m["delayed_acks"] == 1),
                "the ACK was sent by the delayed-ACK timer")
    small, ack = _small_and_ack(run, expect=expect)
    expect.true("pure_ack_nothing_piggyback", bool(ack.length == 0 and not ack.has("FIN")),
                "a pure ACK, nothing to piggyback it on")
    expect.true("came_delayed_ack_timeout_about", ack.t_ns - small.t_ns >= 20 * MS,
                "it came after the delayed-ACK timeout (about 40 ms), not at once")


@pytest.mark.behaviour("tcp_delayed_ack_quickack")
def test_tcp_delayed_ack_quickack_connection_start(probe, family, expect):
    """A connection starts in quick-ACK mode: its first small segment is ACKed at once."""
    run = probe("--exchanges", 0)
    # What makes server_interactive fail: no exchanges, so no pingpong mode yet.
    expect.eq("server_not_yet_interactive", run["measured"]["interactive"], False,
              "with no exchanges the server is not interactive yet (getsockopt(TCP_QUICKACK) reads 1)",
              source="net/ipv4/tcp.c do_tcp_getsockopt(): TCP_QUICKACK is !inet_csk_in_pingpong_mode()")
    expect.true("no_delayed_ack_connection_start", bool(run["measured"]["acked"] and run["measured"]["delayed_acks"] == 0),
                "no delayed ACK at connection start")
    small, ack = _small_and_ack(run, expect=expect)
    expect.eq("pure_ack", ack.length, 0, "the ACK carries no data")


@pytest.mark.behaviour("tcp_delayed_ack_quickack")
def test_tcp_delayed_ack_quickack_after_arrival(probe, family, expect):
    """TCP_QUICKACK set while the segment sits unread does not flush the pending ACK
    (__tcp_cleanup_rbuf acks only once the receive queue is empty)."""
    run = probe("--exchanges", 5, "--quickack", "--quickack-when", "queued")
    _interactive(run["measured"], expect)
    expect.eq("timer_sent_ack", run["measured"]["delayed_acks"], 1, "the timer still sent the ACK")


@pytest.mark.behaviour("tcp_delayed_ack_quickack")
@pytest.mark.control("TCP_QUICKACK=1 on the receiver")
def test_tcp_delayed_ack_quickack_control(probe, family, expect):
    """The same interactive connection, with TCP_QUICKACK set before the segment: no delayed ACK."""
    run = probe("--exchanges", 5, "--quickack", "--quickack-when", "before")
    m = run["measured"]
    expect.true("ack_went_out_not_timer", bool(m["acked"] and m["delayed_acks"] == 0),
                "the ACK went out at once, not from the timer")
    small, ack = _small_and_ack(run, expect=expect)
    quick = [c for c in run.calls("setsockopt", "server") if "TCP_QUICKACK" in c["text"]][-1]
    expect.true("quick_end_real_ns", quick["end_real_ns"] < small.t_ns < ack.t_ns,
                "end_real_ns < small.t_ns < ack.t_ns")
