"""unix(7), connect(2) EAGAIN: a full AF_UNIX accept backlog makes connect() wait, or fail
with EAGAIN when it may not wait; TCP instead drops the SYN and keeps retrying
(suites/tcp_listen/test_tcp_connect_full_backlog_einprogress.py)."""
import pytest

from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_listen_backlog_blocks")
def test_unix_listen_backlog_blocks(probe, family, expect):
    run = probe("--backlog", 1, "--sndtimeo-ms", 100)
    expect.eq("backlog_1_two_connections_queue", run["nonblocking_connects"], ["ok", "ok", "EAGAIN"],
              "with backlog 1 two connections queue; a non-blocking connect() to the full listener fails with EAGAIN")
    expect.true("connect_sndtimeo_waits_fails_eagain", run["timed_connect"] == "EAGAIN",
                "a connect() with SO_SNDTIMEO waits, then fails with EAGAIN")
    timed = run.call("connect", "timed")
    expect.true("timed_connect_slept_full_queue", timed["end_mono_ns"] - timed["t_mono_ns"] >= 50_000_000,
                "the timed connect() slept on the full queue rather than failing at once")
    expect.true("blocking_connect_full_listener_sleeps", run["blocking_connect_asleep_before_accept"],
                "a blocking connect() to the full listener sleeps inside connect()")
    expect.eq("accept_makes_room_sleeping_connect", run["blocking_connect"], "ok",
              "accept() makes room and the sleeping connect() completes")
    accept = run.call("accept", "server")
    blocking = run.call("connect", "blocking")
    expect.true("blocking_connect_called_accept_returned", blocking["t_real_ns"] < accept["t_real_ns"] < blocking["end_real_ns"],
                "the blocking connect() was called before accept() and returned only after it")
    checks_unix.nothing_on_the_wire(run, expect)

