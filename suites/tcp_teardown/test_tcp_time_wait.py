"""On Linux TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s whatever the MSL
(include/net/tcp.h), where RFC 9293's 2 x MSL is 4 minutes."""
import pytest

from sockspec import checks

TCP_TIMEWAIT_LEN_MS = 60_000
TWO_MSL_MS = 240_000
TIMER_TIME_WAIT = 3  # inet_diag idiag_timer for the TIME_WAIT timer


@pytest.mark.behaviour("tcp_time_wait")
@pytest.mark.parametrize("closer", ["client", "server"])
def test_tcp_time_wait(probe, family, closer, expect):
    run = probe("--closer", closer)
    active, passive = run["active"], run["passive"]
    expect.eq("closer_in_time_wait", active["state"], "TIME-WAIT", "the side that closed first is in TIME-WAIT",
              claim="SEED-6")
    expect.eq("other_side_gone", passive["state"], "none", "the side that closed second keeps no socket",
              claim="SEED-6")
    expect.eq("time_wait_timer", active["timer"], TIMER_TIME_WAIT, "the pending timer is the TIME_WAIT timer")
    # In whole seconds: the timer has run for a few ms when it is read.
    remaining_s = round(active["expires_ms"] / 1000)
    expect.between("time_wait_60s", remaining_s, 50, TCP_TIMEWAIT_LEN_MS // 1000,
                   "the TIME_WAIT timer starts at 60 s (read from the kernel, not waited out)")
    expect.eq("time_wait_exists", active["state"], "TIME-WAIT", "the closer enters TIME-WAIT before CLOSED",
              claim="SEED-4")
    expect.lt("time_wait_shorter_than_2msl", remaining_s, TWO_MSL_MS // 1000,
              "TIME-WAIT's timer is below RFC 9293's 2 x MSL of 240 s", refutes="SEED-4")

    t = checks.teardown(run.connection(), expect)
    if t is not None:
        expect.eq("closer_sent_first_fin", t["closer"], closer, "the side that closed first sent the first FIN",
                  claim="SEED-6")


@pytest.mark.behaviour("tcp_time_wait")
@pytest.mark.control("SO_LINGER {1, 0} on the closer")
def test_tcp_time_wait_linger_zero_control(probe, family, expect):
    """The check 'the closer is in TIME-WAIT' fails when the closer aborts:
    close() with a zero linger sends RST and the socket is gone at once."""
    run = probe("--closer", "client", "--linger-zero")
    expect.eq("no_time_wait_after_abort", run["active"]["state"], "none", "no TIME-WAIT after an abortive close")
    expect.eq("peer_read_reset", run["passive_read"], "ECONNRESET", "the peer's read reports the reset")
    conn = run.connection()
    expect.eq("no_fin", len(conn.fins()), 0, "no FIN crosses")
    expect.eq("closer_sends_rst", [s.label for s in conn.segments if conn.from_client(s)][-1:], ["RST+ACK"],
              "the closer sends RST")
