"""RFC 5961 §4.2: a SYN on a synchronized connection, wherever its sequence
number, is answered by a challenge ACK and the connection stays (net/ipv4/
tcp_input.c tcp_validate_incoming(): "step 4: Check for a SYN", RFC 9293
§3.10.7.4 fourth)."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_last


@pytest.mark.behaviour("tcp_syn_on_established")
def test_tcp_syn_on_established(probe, family, expect):
    run = probe()
    conn = run.connection()
    answers = answers_to_last(conn, "SYN")
    expect.eq("syn_draws_challenge_ack", [s.label for s in answers], ["ACK"],
              "a SYN on an established connection is answered by one ACK (the challenge ACK), not RST or SYN+ACK")
    expect.eq("challenge_ack_acks_rcv_nxt", [conn.rel_ack(s) for s in answers], [1],
              "the challenge ACK acknowledges RCV.NXT")
    expect.eq("connection_survives_syn", run["server_state"], "ESTABLISHED",
              "the connection stays ESTABLISHED after the SYN")
    expect.eq("peer_read_challenge_ack", run["answers"], ["ACK"], "the peer read one ACK on the connection")


@pytest.mark.behaviour("tcp_syn_on_established")
@pytest.mark.control("the SYN comes from a port with no connection")
def test_tcp_syn_on_established_fresh_port_control(probe, family, expect):
    run = probe("--established", "false")
    expect.eq("fresh_syn_answered_by_syn_ack", run["answers"], ["SYN+ACK"],
              "a SYN from a port with no connection is answered by SYN+ACK, not a challenge ACK")
