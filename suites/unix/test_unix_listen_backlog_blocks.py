"""unix(7), connect(2) EAGAIN: a full AF_UNIX accept backlog makes connect() wait, or fail
with EAGAIN when it may not wait; TCP instead drops the SYN and keeps retrying."""
import pytest

from sockspec import checks, checks_unix


@pytest.mark.behaviour("unix_listen_backlog_blocks")
def test_unix_listen_backlog_blocks(probe, family):
    run = probe("--kind", "unix", "--backlog", 1, "--sndtimeo-ms", 100)
    assert run["nonblocking_connects"] == ["ok", "ok", "EAGAIN"], \
        "with backlog 1 two connections queue; a non-blocking connect() to the full listener fails with EAGAIN"
    assert run["timed_connect"] == "EAGAIN", "a connect() with SO_SNDTIMEO waits, then fails with EAGAIN"
    timed = run.call("connect", "timed")
    assert timed["end_mono_ns"] - timed["t_mono_ns"] >= 50_000_000, \
        "the timed connect() slept on the full queue rather than failing at once"
    assert run["blocking_connect_asleep_before_accept"] is True, \
        "a blocking connect() to the full listener sleeps inside connect()"
    assert run["blocking_connect"] == "ok", "accept() makes room and the sleeping connect() completes"
    accept = run.call("accept", "server")
    blocking = run.call("connect", "blocking")
    assert blocking["t_real_ns"] < accept["t_real_ns"] < blocking["end_real_ns"], \
        "the blocking connect() was called before accept() and returned only after it"
    checks_unix.nothing_on_the_wire(run)


@pytest.mark.behaviour("unix_listen_backlog_blocks")
@pytest.mark.control("a TCP listener on loopback instead of AF_UNIX")
def test_unix_listen_backlog_blocks_tcp_control(probe, family):
    """The same full backlog over TCP: no EAGAIN; the SYN is dropped and the client waits in SYN-SENT."""
    run = probe("--kind", "tcp", "--backlog", 1, "--sndtimeo-ms", 100)
    assert "EAGAIN" not in run["nonblocking_connects"], "TCP's connect() never fails with EAGAIN for a full queue"
    assert set(run["nonblocking_connects"]) == {"EINPROGRESS"}
    assert run["listen_overflows"] >= 1, "the SYN to the full queue was dropped (TcpExt ListenOverflows)"
    assert run["overflowed_client_state"] == "SYN-SENT", "the dropped client keeps waiting in SYN-SENT"
    assert run["timed_connect"] == "EINPROGRESS", "a TCP connect() that times out on SO_SNDTIMEO reports EINPROGRESS"
    conn = run.connection()
    pic = checks.labels(conn)
    assert pic and set(pic) == {"c>SYN"}, f"the overflowed client's SYN gets no answer on the wire: {pic}"
