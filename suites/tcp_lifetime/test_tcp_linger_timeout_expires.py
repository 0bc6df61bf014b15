"""A lingering close() whose data cannot be acknowledged returns when the
linger time runs out (socket(7) SO_LINGER; net/ipv4/tcp.c __tcp_close():
sk_stream_wait_close() with sk_lingertime, then the orphan continues)."""
import pytest

from sockspec.checks.tcp_lifetime import fins_from


def close_wait_s(run):
    """How long the client's close() took, to the nearest second: the claim's
    resolution. The linger timer counts jiffies from one already partly
    elapsed (schedule_timeout()), and under load an emulated guest's close()
    with a 1 s linger returned after 0.953 s by its own clock (qemu 6.1);
    truncating made that 0. A close() that ignores SO_LINGER returns
    at once (0), and the 2 s control tells 1 s from 2 s."""
    close = run.call("close", "client")
    return (close["end_real_ns"] - close["t_real_ns"] + 500_000_000) // 1_000_000_000


def check_linger_expiry(run, linger_s, expect):
    expect.gt("data_waits_unacknowledged", run["client_outq_before_close"], 0,
              "data waits unacknowledged in the client's send buffer when it closes")
    expect.eq("close_succeeds_after_timeout", run["close"], "ok",
              "close() returns success when the linger time runs out (Linux reports no EWOULDBLOCK)")
    expect.ge("close_waits_linger_time", close_wait_s(run), linger_s,
              "close() waited the linger time (in whole seconds, to the nearest)")
    expect.eq("orphan_stays_fin_wait_1", run["client_state_after_close"], "FIN-WAIT-1",
              "after close() returns the client's end stays in FIN-WAIT-1, its data still queued")
    conn = run.connection()
    expect.false("client_sends_no_rst", any(conn.from_client(s) and s.has("RST") for s in conn.segments),
                 "the expired linger does not reset the connection")
    expect.eq("fin_not_sent_behind_data", len(fins_from(conn)), 0, "no FIN crosses: it waits behind the data")


@pytest.mark.behaviour("tcp_linger_timeout_expires")
def test_tcp_linger_timeout_expires(probe, family, expect):
    check_linger_expiry(probe(), 1, expect)


@pytest.mark.behaviour("tcp_linger_timeout_expires")
@pytest.mark.control("SO_LINGER of 2 s instead of 1 s")
def test_tcp_linger_timeout_expires_longer_linger_control(probe, family, expect):
    """With a longer linger time close() waits longer: the wait follows l_linger."""
    run = probe("--linger-s", 2)
    expect.ge("close_waits_linger_time", close_wait_s(run), 2,
              "close() waited the linger time (in whole seconds, to the nearest)")
