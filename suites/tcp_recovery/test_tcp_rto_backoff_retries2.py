"""Retransmission timeout back-off (RFC 6298 §5.5) and its limit
(tcp(7) tcp_retries2; net/ipv4/tcp_timer.c tcp_write_timeout(),
retransmits_timed_out()): the data is resent at intervals that double, and
after tcp_retries2 retransmissions the connection is dropped with ETIMEDOUT.

The kernel gives up once the time since the first retransmission exceeds what
tcp_retries2 doubling timeouts from 200 ms would take (3 s for 3, 1.4 s for 2).
The route's rto_min of 300 ms puts each retransmission well to one side of
that line: with 3, the third comes 1.8 s after the first and a fourth would
come at 4.2 s; with 2, the second at 0.6 s and a third at 1.8 s."""
import pytest

from sockspec.checks.tcp_recovery import DOUBLING, doubling, interval_ratios


def data_times(run):
    conn = run.connection()
    return [s.t_ns for s in conn.segments if not conn.from_client(s) and s.length and conn.rel_seq(s) == 1]


def given_up(run, expect):
    expect.eq("connection_closed", run["server_state"], "CLOSE", "the kernel closes the connection it gave up")
    expect.eq("recv_reports_timeout", run["server_recv"], "ETIMEDOUT", "recv() reports why: ETIMEDOUT")


@pytest.mark.behaviour("tcp_rto_backoff_retries2")
def test_tcp_rto_backoff_retries2(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_retries2": 3})
    expect.eq("retries2_retransmissions", run["transmissions"], 1 + 3,
              "with tcp_retries2=3 the data is sent once and retransmitted three times")
    times = data_times(run)
    expect.eq("wire_transmissions", len(times), 1 + 3, "the capture shows the same four transmissions")
    expect.that("timeouts_double", doubling(times) and len(times) == 4,
                "each interval between retransmissions is about twice the one before",
                seen=interval_ratios(times), expected=DOUBLING)
    given_up(run, expect)


@pytest.mark.behaviour("tcp_rto_backoff_retries2")
@pytest.mark.control("net.ipv4.tcp_retries2=2")
def test_tcp_rto_backoff_retries2_two_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_retries2": 2})
    expect.eq("retries2_two_retransmissions", run["transmissions"], 1 + 2,
              "with tcp_retries2=2 the data is sent once and retransmitted twice")
    given_up(run, expect)
