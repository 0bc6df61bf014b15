"""SO_LINGER {1, 0}: close() aborts the connection (socket(7); RFC 9293 §3.10.4
ABORT; net/ipv4/tcp.c __tcp_close() calls tcp_disconnect() and sends RST)."""
import pytest


def client_segments(conn):
    return [s for s in conn.segments if conn.from_client(s)]


@pytest.mark.behaviour("tcp_linger_zero_rst")
def test_tcp_linger_zero_rst(probe, family):
    run = probe("--linger", "zero")
    assert run.call("setsockopt", side="client")["ret"] == 0
    assert run["client_close"] == "0", "close() succeeds"
    assert run["client_after_close"] == "none", "the socket is gone as soon as close() returns"
    assert run["client_after"] == "none", "no TIME-WAIT, ever"
    assert run["server_state"] == "CLOSE" and run["server_read"] == "ECONNRESET", "the peer's read reports the reset"

    conn = run.connection()
    mine = client_segments(conn)
    assert not any(s.has("FIN") for s in mine), "no FIN from the closer"
    rst = [s for s in mine if s.has("RST")]
    assert len(rst) == 1 and rst[0].t_ns >= run.call("close", side="client")["t_real_ns"], "close() sends one RST"
    assert not any(s.has("RST") for s in conn.segments if not conn.from_client(s))


@pytest.mark.behaviour("tcp_linger_zero_rst")
@pytest.mark.control("SO_LINGER not set")
def test_tcp_linger_zero_rst_linger_off_control(probe, family):
    run = probe("--linger", "off")
    assert run["client_after"] == "TIME-WAIT", "an orderly close leaves the closer in TIME-WAIT"
    assert run["server_read"] == "0", "the peer reads EOF"
    mine = client_segments(run.connection())
    assert any(s.has("FIN") for s in mine) and not any(s.has("RST") for s in mine), "FIN, not RST"
