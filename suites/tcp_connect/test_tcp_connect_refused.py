"""connect() to a closed port: the SYN draws RST+ACK (RFC 9293 §3.10.7.1) and
connect() fails with ECONNREFUSED (connect(2))."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_connect_refused")
def test_tcp_connect_refused(probe, family):
    run = probe()
    connect = run.call("connect", "client")
    assert connect["errno_name"] == "ECONNREFUSED", "connect() to a closed port fails with ECONNREFUSED"
    assert run["connect"] == "ECONNREFUSED"
    assert run["so_error_after"] == "0", "the error was reported by connect() itself, none is left pending"
    assert run["client_state"] == "CLOSE", "the socket is back in CLOSE"

    conn = run.connection()
    assert checks.labels(conn) == ["c>SYN", "s>RST+ACK"], "the SYN is answered by RST+ACK and nothing else"
    syn, rst = conn.segments
    assert rst.seq == 0 and rst.ack == (syn.seq + 1) % 2**32, \
        "the RST has seq 0 and acknowledges the SYN (RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN>)"
    assert syn.t_ns >= connect["t_real_ns"] and rst.t_ns <= connect["end_real_ns"], \
        "SYN and RST cross while connect() is in progress"


@pytest.mark.behaviour("tcp_connect_refused")
@pytest.mark.control("the server listen()s on the port")
def test_tcp_connect_refused_listening_control(probe, family):
    """The check 'connect() fails with ECONNREFUSED after RST+ACK' fails once
    the port has a listener: the handshake completes instead."""
    run = probe("--listen")
    assert run["connect"] == "0", "connect() succeeds"
    assert run["client_state"] == "ESTABLISHED"
    conn = run.connection()
    checks.three_way_handshake(conn)
    assert not [s for s in conn.segments[:3] if s.has("RST")], "no RST answers the SYN"
