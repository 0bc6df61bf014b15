"""unix(7), connect(2) EAGAIN: a full AF_UNIX accept backlog makes connect() wait, or fail
with EAGAIN when it may not wait; TCP instead drops the SYN and keeps retrying."""
import pytest

from sockspec import checks
from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_listen_backlog_blocks")
def test_unix_listen_backlog_blocks(probe, family, expect):
    run = probe("--kind", "unix", "--backlog", 1, "--sndtimeo-ms", 100)
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


@pytest.mark.behaviour("unix_listen_backlog_blocks")
@pytest.mark.control("a TCP listener on loopback instead of AF_UNIX")
def test_unix_listen_backlog_blocks_tcp_control(probe, family, expect):
    """The same full backlog over TCP: no EAGAIN; the SYN is dropped and the client waits in SYN-SENT."""
    run = probe("--kind", "tcp", "--backlog", 1, "--sndtimeo-ms", 100)
    expect.true("tcps_connect_never_fails_eagain", "EAGAIN" not in run["nonblocking_connects"],
                "TCP's connect() never fails with EAGAIN for a full queue")
    expect.eq("nonblocking_connects_einprogress", set(run["nonblocking_connects"]), {"EINPROGRESS"},
              "every non-blocking connect() beyond the backlog gives EINPROGRESS")
    expect.ge("syn_full_queue_dropped_tcpext", run["listen_overflows"], 1,
              "the SYN to the full queue was dropped (TcpExt ListenOverflows)")
    expect.eq("dropped_client_keeps_waiting_syn", run["overflowed_client_state"], "SYN-SENT",
              "the dropped client keeps waiting in SYN-SENT")
    expect.true("tcp_connect_times_out_sndtimeo", run["timed_connect"] == "EINPROGRESS",
                "a TCP connect() that times out on SO_SNDTIMEO reports EINPROGRESS")
    conn = run.connection()
    pic = checks.labels(conn)
    expect.true("overflowed_clients_syn_gets_no", bool(pic and set(pic) == {"c>SYN"}),
                "the overflowed client's SYN gets no answer on the wire")
