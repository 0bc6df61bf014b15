import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_handshake")
def test_tcp_handshake(probe, family, expect):
    run = probe()
    conn = run.connection()

    checks.three_way_handshake(conn, expect, claim="SEED-1")
    connect = run.call("connect", "client")
    expect.eq("connect_succeeds", connect["ret"], 0, "a blocking connect() to a listener succeeds")
    if len(conn.segments) > 1:
        syn_ack = conn.segments[1]
        expect.that("connect_returns_after_syn_ack", connect["t_real_ns"] < syn_ack.t_ns < connect["end_real_ns"],
                    "connect() returns after the SYN+ACK arrives (the client's side of the handshake is done "
                    "in the call)", claim="SEED-1",
                    seen={"syn_ack_after_call": syn_ack.t_ns > connect["t_real_ns"],
                          "syn_ack_before_return": syn_ack.t_ns < connect["end_real_ns"]},
                    expected="the SYN+ACK arrives while connect() runs")
