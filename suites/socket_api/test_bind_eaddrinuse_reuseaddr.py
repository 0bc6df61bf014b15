"""socket(7) SO_REUSEADDR: a second bind() to a port in
use fails; SO_REUSEADDR lets two non-listening sockets share a port but never
two listeners, and gets a new listener past a TIME-WAIT socket only when the
TIME-WAIT socket had it too (net/ipv4/inet_connection_sock.c
inet_bind_conflict(): both sk_reuse, and the TIME-WAIT socket keeps the
listener's via the accepted socket)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("bind_eaddrinuse_reuseaddr")
def test_bind_eaddrinuse_reuseaddr(probe, family, expect):
    run = probe()
    cases = run["cases"]
    expect.eq("bound_port_cannot_bound_again", cases["bound_plain"]["second_bind"], "EADDRINUSE",
              "a bound port cannot be bound again", claim="SEED-10")
    expect.eq("reuseaddr_both_two_sockets_bind", cases["both_reuseaddr"], {"second_bind": "ok", "first_listen": "ok", "second_listen": "EADDRINUSE"},
              "with SO_REUSEADDR on both two sockets bind one port, but only one may listen")
    expect.eq("listeners_port_stays_taken", cases["listener_reuseaddr"]["second_bind"], "EADDRINUSE",
              "a listener's port stays taken")

    tw = cases["time_wait"]
    expect.eq("server_closed_first_holds_time", tw["server_end_state"], "TIME-WAIT",
              "the server closed first and holds TIME-WAIT on its port")
    expect.eq("time_wait_blocks_plain_bind", tw["bind_plain"], "EADDRINUSE", "TIME-WAIT blocks a plain bind()")
    expect.eq("reuseaddr_alone_does_not_help", tw["bind_reuseaddr"], "EADDRINUSE",
              "SO_REUSEADDR alone does not help when the old listener lacked it (the TIME-WAIT socket has sk_reuse 0)")

    tw2 = cases["time_wait_reuse_listener"]
    expect.eq("tw2_server_end_state", tw2["server_end_state"], "TIME-WAIT", "the server closed first and holds TIME-WAIT on its port")
    expect.eq("time_wait_blocks_plain_bind_2", tw2["bind_plain"], "EADDRINUSE",
              "TIME-WAIT still blocks a plain bind()")
    expect.eq("reuseaddr_both_new_socket_binds", tw2["bind_reuseaddr"], "ok",
              "SO_REUSEADDR on both: the new socket binds over TIME-WAIT")
    expect.eq("listens_accepts_new_client", tw2["new_connect"], "ok", "and it listens and accepts a new client")

    for case in (tw, tw2):
        conn = run.connection(case["client_addr"], case["server_addr"])
        checks.three_way_handshake(conn, expect)
        expect.eq("server_sent_first_fin_holds", checks.teardown(conn)["closer"], "server",
                  "the server sent the first FIN: it holds TIME-WAIT")
    new = run.connection(tw2["new_client_addr"], tw2["server_addr"])
    checks.three_way_handshake(new, expect)
    expect.true("new_connection_starts_old_ended", new.segments[0].t_ns > run.connection(tw2["client_addr"], tw2["server_addr"]).fins()[-1].t_ns,
                "the new connection starts after the old one ended in TIME-WAIT")


@pytest.mark.behaviour("bind_eaddrinuse_reuseaddr")
@pytest.mark.control("SO_LINGER {1, 0} on the server's end: RST instead of TIME-WAIT")
def test_bind_eaddrinuse_reuseaddr_linger_zero_control(probe, family, expect):
    """'TIME-WAIT blocks a plain bind()' fails when no TIME-WAIT is left: the
    server aborts the connection and the port is free at once."""
    run = probe("--linger-zero")
    for key in ("time_wait", "time_wait_reuse_listener"):
        tw = run["cases"][key]
        expect.eq("no_time_wait_abortive_close", tw["server_end_state"], "none",
                  "no TIME-WAIT after an abortive close")
        expect.eq("plain_bind_succeeds_freed_port", tw["bind_plain"], "ok",
                  "a plain bind() succeeds on the freed port")
        expect.eq("tw_new_connect", tw["new_connect"], "ok", "a new client connects to the rebound listener")
        conn = run.connection(tw["client_addr"], tw["server_addr"])
        expect.true("no_fin_crosses", not conn.fins(), "no FIN crosses")
        expect.true("server_sends_rst", bool(any(s.has("RST") and not conn.from_client(s) for s in conn.segments)),
                    "the server sends RST")
