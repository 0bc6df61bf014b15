"""socket(7) SO_REUSEADDR: a TIME-WAIT socket blocks a plain bind() to its port;
SO_REUSEADDR on the new socket gets past it only when the TIME-WAIT socket had
it too, inherited from its listener through the accepted socket
(net/ipv4/inet_connection_sock.c inet_bind_conflict(): both sk_reuse)."""
import pytest

from sockspec import checks


def _closed_by_server_into_time_wait(run, expect):
    expect.eq("server_closed_first_holds_time", run["server_end_state"], "TIME-WAIT",
              "the server closed first and holds TIME-WAIT on its port")
    expect.eq("time_wait_blocks_plain_bind", run["bind_plain"], "EADDRINUSE", "TIME-WAIT blocks a plain bind()")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.eq("server_sent_first_fin_holds", checks.teardown(conn)["closer"], "server",
              "the server sent the first FIN: it holds TIME-WAIT")


@pytest.mark.behaviour("bind_reuseaddr_over_time_wait")
def test_bind_reuseaddr_over_time_wait(probe, family, expect):
    run = probe("--old-listener", "reuseaddr")
    _closed_by_server_into_time_wait(run, expect)
    if not expect.eq("reuseaddr_both_new_socket_binds", run["bind_reuseaddr"], "ok",
                     "SO_REUSEADDR on both: the new socket binds over TIME-WAIT"):
        return  # no new listener: the probe stopped there, and so do its checks
    expect.eq("listens_accepts_new_client", run["new_connect"], "ok", "and it listens and accepts a new client")
    new = run.connection(run["new_client_addr"])
    checks.three_way_handshake(new, expect)
    expect.true("new_connection_starts_old_ended", new.segments[0].t_ns > run.connection().fins()[-1].t_ns,
                "the new connection starts after the old one ended in TIME-WAIT")


@pytest.mark.behaviour("bind_reuseaddr_over_time_wait")
@pytest.mark.control("the old listener without SO_REUSEADDR: its TIME-WAIT socket has sk_reuse 0")
def test_bind_reuseaddr_over_time_wait_old_listener_plain_control(probe, family, expect):
    """'the new socket binds over TIME-WAIT' fails when the TIME-WAIT socket lacks SO_REUSEADDR."""
    run = probe("--old-listener", "plain")
    _closed_by_server_into_time_wait(run, expect)
    expect.eq("reuseaddr_alone_does_not_help", run["bind_reuseaddr"], "EADDRINUSE",
              "SO_REUSEADDR alone does not help when the old listener lacked it (the TIME-WAIT socket has sk_reuse 0)")


@pytest.mark.behaviour("bind_reuseaddr_over_time_wait")
@pytest.mark.control("SO_LINGER {1, 0} on the server's end: RST instead of TIME-WAIT")
@pytest.mark.parametrize("old_listener", ["reuseaddr", "plain"])
def test_bind_reuseaddr_over_time_wait_linger_zero_control(probe, family, expect, old_listener):
    """'TIME-WAIT blocks a plain bind()' fails when no TIME-WAIT is left: the
    server aborts the connection and the port is free at once."""
    run = probe("--old-listener", old_listener, "--linger-zero")
    expect.eq("no_time_wait_abortive_close", run["server_end_state"], "none",
              "no TIME-WAIT after an abortive close")
    expect.eq("plain_bind_succeeds_freed_port", run["bind_plain"], "ok",
              "a plain bind() succeeds on the freed port")
    expect.eq("tw_new_connect", run["new_connect"], "ok", "a new client connects to the rebound listener")
    conn = run.connection()
    expect.true("no_fin_crosses", not conn.fins(), "no FIN crosses")
    expect.true("server_sends_rst", bool(any(s.has("RST") and not conn.from_client(s) for s in conn.segments)),
                "the server sends RST")
