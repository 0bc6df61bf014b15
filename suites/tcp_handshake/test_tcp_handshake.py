"""SEED-1: connection set-up is three segments (RFC 9293 §3.5)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_handshake")
def test_tcp_handshake(probe, family, claims):
    run = probe()
    conn = run.connection()

    checks.three_way_handshake(conn)
    connect = run.call("connect", "client")
    assert connect["ret"] == 0, "a blocking connect() to a listener succeeds"
    syn_ack = conn.segments[1]
    assert connect["t_real_ns"] < syn_ack.t_ns < connect["end_real_ns"], \
        "connect() returns after the SYN+ACK arrives (the client's side of the handshake is done in the call)"
    claims.verdict("SEED-1", "holds", "SYN, SYN+ACK, ACK with consistent sequence and acknowledgement numbers; "
                                      "connect() returned once the SYN+ACK arrived")
