"""CLOSE-WAIT lasts until the application closes (RFC 9293 §3.6): Linux gives it
no timer, unlike the peer's orphaned FIN-WAIT-2 (tcp_fin_timeout)."""
import pytest

SYSCTLS = {"net.ipv4.tcp_fin_timeout": 1}  # the peer's orphaned FIN-WAIT-2 expires after 1 s


@pytest.mark.behaviour("tcp_close_wait_persists")
def test_tcp_close_wait_persists(probe, family, expect):
    run = probe(sysctls=SYSCTLS)
    expect.eq("server_reads_eof", run["server_read"], "0", "the server reads EOF")
    expect.true("servers_socket_close_wait_no", bool(run["server_end"]["state"] == "CLOSE-WAIT" and run["server_end"]["timer"] == 0),
                "the server's socket is in CLOSE-WAIT with no timer")
    expect.eq("peer_waits_fin_wait_2", run["client_end"]["state"], "FIN-WAIT-2", "the peer waits in FIN-WAIT-2")
    expect.true("peers_orphaned_fin_wait_2", run["peer_gone"], "the peer's orphaned FIN-WAIT-2 socket expired")
    expect.eq("close_wait_outlives_peer", run["server_end_after_peer_gone"]["state"], "CLOSE-WAIT",
              "CLOSE-WAIT outlives the peer")
    expect.eq("server_state_after_peer_gone", run["server_state_after_peer_gone"], "CLOSE-WAIT",
              "the server stays in CLOSE-WAIT after the peer is gone")
    expect.eq("close_ends", run["server_end_after_close"]["state"], "none", "close() ends it")

    conn = run.connection()
    close = run.calls("close", side="server")[-1]
    sfin = [s for s in conn.segments if not conn.from_client(s) and s.has("FIN")]
    expect.true("servers_fin_leaves_only_close", bool(len(sfin) == 1 and sfin[0].t_ns >= close["t_real_ns"]),
                "the server's FIN leaves only with its close()")
    after = conn.segments[conn.segments.index(sfin[0]) + 1:] if sfin else []
    expect.true("late_fin_reaches_no_socket", bool(any(conn.from_client(s) and s.has("RST") for s in after)),
                "the late FIN reaches no socket and is answered with RST")


@pytest.mark.behaviour("tcp_close_wait_persists")
@pytest.mark.control("the server closes as soon as it reads EOF")
def test_tcp_close_wait_persists_close_at_eof_control(probe, family, expect):
    run = probe("--close-at-eof", sysctls=SYSCTLS)
    expect.eq("no_close_wait_socket_remains", run["server_end"]["state"], "none",
              "no CLOSE-WAIT socket remains after close()")
    expect.eq("peer_completes_orderly_close", run["client_end"]["state"], "TIME-WAIT",
              "the peer completes an orderly close")
    conn = run.connection()
    expect.true("no_rst", not any(s.has("RST") for s in conn.segments),
                "no RST crosses")
