"""connect() to a closed port: the SYN draws RST+ACK (RFC 9293 §3.10.7.1) and
connect() fails with ECONNREFUSED (connect(2))."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_connect_refused")
def test_tcp_connect_refused(probe, family, expect):
    run = probe()
    connect = run.call("connect", "client")
    expect.eq("connect_closed_port_fails_econnrefused", connect["errno_name"], "ECONNREFUSED",
              "connect() to a closed port fails with ECONNREFUSED")
    expect.eq("connect", run["connect"], "ECONNREFUSED", "connect() to a closed port fails with ECONNREFUSED")
    expect.eq("error_reported_connect_itself_none", run["so_error_after"], "0",
              "the error was reported by connect() itself, none is left pending")
    expect.eq("socket_back_close", run["client_state"], "CLOSE", "the socket is back in CLOSE")

    conn = run.connection()
    expect.eq("syn_answered_rst_ack_nothing", checks.labels(conn), ["c>SYN", "s>RST+ACK"],
              "the SYN is answered by RST+ACK and nothing else")
    syn, rst = conn.segments
    expect.true("rst_seq_0_acknowledges_syn", bool(rst.seq == 0 and rst.ack == (syn.seq + 1) % 2**32),
                "the RST has seq 0 and acknowledges the SYN (RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN>)")
    expect.true("syn_rst_cross_while_connect", bool(syn.t_ns >= connect["t_real_ns"] and rst.t_ns <= connect["end_real_ns"]),
                "SYN and RST cross while connect() is in progress")


@pytest.mark.behaviour("tcp_connect_refused")
@pytest.mark.control("the server listen()s on the port")
def test_tcp_connect_refused_listening_control(probe, family, expect):
    """The check 'connect() fails with ECONNREFUSED after RST+ACK' fails once
    the port has a listener: the handshake completes instead."""
    run = probe("--listen")
    expect.eq("connect_succeeds", run["connect"], "ok", "connect() succeeds")
    expect.eq("client_state", run["client_state"], "ESTABLISHED", "the client is ESTABLISHED")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.true("no_rst_answers_syn", not [s for s in conn.segments[:3] if s.has("RST")], "no RST answers the SYN")
