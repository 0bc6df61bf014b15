"""An unanswered SYN is retransmitted net.ipv4.tcp_syn_retries times, then
connect() fails with ETIMEDOUT (tcp(7)). The intervals start at the initial
RTO of 1 s (RFC 6298 §2.1). On this kernel the first tcp_syn_linear_timeouts
(default 4) retransmissions keep that interval before the exponential back-off
of RFC 6298 §5.5 starts (ip-sysctl.rst; net/ipv4/tcp_timer.c). A kernel without
the knob (before 6.x) has only the exponential back-off: there the checks of
the linear retries are unobservable, and the exponential control judges it."""
import pytest

from sockspec.observed import Unobservable
from sockspec.targets import Fault

# The port is closed; its RST is dropped, so the client hears nothing at all.
DROP_RESETS = Fault("tcp flags & rst == rst", 0)
S = 1_000_000_000
LINEAR = "net.ipv4.tcp_syn_linear_timeouts"


def with_linear_knob(run, expected):
    """The expected value of a check of the linear retries, or, on a kernel
    without the knob, its unobservable reason."""
    knob = run["tcp_syn_linear_timeouts"]
    return knob if isinstance(knob, Unobservable) else expected


def syn_intervals(run, expect):
    conn = run.connection()
    syns = [s for s in conn.segments if conn.from_client(s) and s.flags_exactly("SYN")]
    expect.true("nothing_comes_back_client", not [s for s in conn.segments if not conn.from_client(s)],
                "nothing comes back to the client")
    expect.eq("syn_same_syn_again_same", len({s.seq for s in syns}), 1,
              "every SYN is the same SYN again (same sequence number)")
    return syns, [(b.t_ns - a.t_ns) / S for a, b in zip(syns, syns[1:])]


def assert_about(intervals, expected, what, expect):
    close = expected if isinstance(expected, Unobservable) else bool(
        len(intervals) == len(expected) and all(e - 0.1 < i < e + 0.3 for i, e in zip(intervals, expected)))
    expect.true("syn_retransmission_intervals_s_expected", close,
                "the SYN retransmission intervals are the expected ones, to 10%")


@pytest.mark.behaviour("tcp_syn_retransmit_backoff")
def test_tcp_syn_retransmit_backoff(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_syn_retries": 1}, faults=[DROP_RESETS])
    expect.eq("kernels_default_tcp_syn_linear", run["tcp_syn_linear_timeouts"], 4,
              "this kernel's default tcp_syn_linear_timeouts")
    expect.eq("connect", run["connect"], "EINPROGRESS", "the non-blocking connect() gives EINPROGRESS")
    expect.true("poll_reports_failure", bool(run["poll_ret"] == 1 and "POLLERR" in run["poll_revents"]),
                "poll() reports the failure")
    expect.eq("connection_attempt_times_out_etimedout", run["so_error"], "ETIMEDOUT",
              "the connection attempt times out: ETIMEDOUT")
    expect.eq("state", run["state"], "CLOSE", "the socket ends CLOSED")
    expect.eq("c_2_retransmissions_not_tcp_syn", run["total_retrans"], with_linear_knob(run, 2),
              "2 retransmissions, not tcp_syn_retries = 1: the retry count is turned into a time budget")

    syns, intervals = syn_intervals(run, expect=expect)
    expect.eq("syn_two_retransmissions_wire", len(syns), with_linear_knob(run, 3),
              "the SYN and two retransmissions are on the wire")
    assert_about(intervals, with_linear_knob(run, [1, 1]), "linear, not exponential, for the first tcp_syn_linear_timeouts retries", expect=expect)
    gave_up = run.call("poll", "client")["end_real_ns"]
    expect.true("connect_gives_up_time_tcp", 2.8 * S < gave_up - syns[0].t_ns < 3.6 * S,
                "connect() gives up when the time that tcp_syn_retries = 1 would take with exponential back-off (1 + 2 = 3 s, tcp_model_timeout()) has passed since the first SYN")


@pytest.mark.behaviour("tcp_syn_retransmit_backoff")
@pytest.mark.control("net.ipv4.tcp_syn_linear_timeouts=0 in the namespace, where the kernel has it")
def test_tcp_syn_retransmit_backoff_exponential_control(probe, family, expect, sockspec_environment):
    """The check 'the retransmissions come 1 s apart' fails without linear
    timeouts: the classic exponential back-off doubles the interval each time.
    A kernel without the knob has no other back-off, so it runs as it is."""
    linear_off = {LINEAR: 0} if sockspec_environment["sysctls"].get(LINEAR) is not None else {}
    run = probe(sysctls={"net.ipv4.tcp_syn_retries": 1, **linear_off}, faults=[DROP_RESETS])
    expect.eq("so_error", run["so_error"], "ETIMEDOUT", "SO_ERROR is ETIMEDOUT")
    expect.eq("exactly_tcp_syn_retries_1", run["total_retrans"], 1, "exactly tcp_syn_retries = 1 retransmission")
    syns, intervals = syn_intervals(run, expect=expect)
    expect.eq("two_syns", len(syns), 2, "the client sends the SYN and one retransmission")
    assert_about(intervals, [1], "the first retransmission after the initial RTO", expect=expect)
    gave_up = run.call("poll", "client")["end_real_ns"]
    expect.true("connect_gives_up_doubled_rto", 1.8 * S < gave_up - syns[-1].t_ns < 2.6 * S,
                "connect() gives up after the doubled RTO (2 s) following the last SYN")


@pytest.mark.behaviour("tcp_syn_retransmit_backoff")
@pytest.mark.slow
def test_tcp_syn_retransmit_backoff_linear_then_exponential(probe, family, expect):
    """tcp_syn_retries = 2 is a budget of 1 + 2 + 4 = 7 s: with linear timeouts
    the kernel sends five retransmissions in it, 1 s apart, then gives up 2 s
    after the last one (its first doubled interval)."""
    run = probe(sysctls={"net.ipv4.tcp_syn_retries": 2}, faults=[DROP_RESETS])
    expect.eq("so_error", run["so_error"], "ETIMEDOUT", "SO_ERROR is ETIMEDOUT")
    expect.eq("total_retrans", run["total_retrans"], with_linear_knob(run, 5), "five SYN retransmissions (tcp_syn_retries)")
    syns, intervals = syn_intervals(run, expect=expect)
    assert_about(intervals, with_linear_knob(run, [1, 1, 1, 1, 1]), "four linear retries, then the first exponential one at 2^0 x 1 s", expect=expect)
    gave_up = run.call("poll", "client")["end_real_ns"]
    expect.true("connect_gives_up_7_s", 6.8 * S < gave_up - syns[0].t_ns < 7.8 * S,
                "connect() gives up 7 s after the first SYN")
