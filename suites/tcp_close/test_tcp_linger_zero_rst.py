"""SO_LINGER {1, 0}: close() aborts the connection (socket(7); RFC 9293 §3.10.4
ABORT; net/ipv4/tcp.c __tcp_close() calls tcp_disconnect() and sends RST)."""
import pytest


def client_segments(conn):
    return [s for s in conn.segments if conn.from_client(s)]


@pytest.mark.behaviour("tcp_linger_zero_rst")
def test_tcp_linger_zero_rst(probe, family, expect):
    run = probe("--linger", "zero")
    expect.eq("setsockopt_linger_succeeds", run.call("setsockopt", side="client")["ret"], 0,
              "setsockopt(SO_LINGER) succeeds")
    expect.eq("close_succeeds", run["client_close"], "0", "close() succeeds")
    expect.eq("socket_gone_soon_close_returns", run["client_after_close"], "none",
              "the socket is gone as soon as close() returns")
    expect.eq("no_time_wait_ever", run["client_after"], "none", "no TIME-WAIT, ever")
    expect.true("peers_read_reports_reset", bool(run["server_state"] == "CLOSE" and run["server_read"] == "ECONNRESET"),
                "the peer's read reports the reset")

    conn = run.connection()
    mine = client_segments(conn)
    expect.true("no_fin_closer", not any(s.has("FIN") for s in mine), "no FIN from the closer")
    rst = [s for s in mine if s.has("RST")]
    expect.true("close_sends_rst", bool(len(rst) == 1 and rst[0].t_ns >= run.call("close", side="client")["t_real_ns"]),
                "close() sends one RST")
    expect.true("peer_sends_no_rst", not any(s.has("RST") for s in conn.segments if not conn.from_client(s)),
                "the peer sends no RST")


@pytest.mark.behaviour("tcp_linger_zero_rst")
@pytest.mark.control("SO_LINGER not set")
def test_tcp_linger_zero_rst_linger_off_control(probe, family, expect):
    run = probe("--linger", "off")
    expect.eq("orderly_close_leaves_closer_time", run["client_after"], "TIME-WAIT",
              "an orderly close leaves the closer in TIME-WAIT")
    expect.eq("peer_reads_eof", run["server_read"], "0", "the peer reads EOF")
    mine = client_segments(run.connection())
    expect.true("fin_not_rst", bool(any(s.has("FIN") for s in mine) and not any(s.has("RST") for s in mine)),
                "FIN, not RST")
