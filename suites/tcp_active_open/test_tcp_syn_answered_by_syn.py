"""Simultaneous open (RFC 9293 §3.5 figure 7, §3.10.7.3 SYN-SENT STATE
fourth: a SYN without ACK "enter SYN-RECEIVED, form a SYN,ACK segment
<SEQ=ISS><ACK=RCV.NXT>"); net/ipv4/tcp_input.c
tcp_rcv_synsent_state_process(): tcp_set_state(TCP_SYN_RECV),
tcp_send_synack()."""
import pytest

from sockspec.checks.tcp_active_open import kernel_answers_after, peer_segment


@pytest.mark.behaviour("tcp_syn_answered_by_syn")
def test_tcp_syn_answered_by_syn(probe, family, expect):
    run = probe()
    expect.eq("syn_answered_by_syn_ack", run["answers_to_syn"], ["SYN+ACK"],
              "the kernel answers the peer's SYN with one SYN+ACK")
    expect.eq("syn_received_after_syn", run["state_after_syn"], "SYN-RECV",
              "the connection is in SYN-RECEIVED after the peer's SYN")
    expect.eq("ack_unanswered", run["answers_to_ack"], [], "the peer's ACK of the SYN+ACK draws no answer")
    expect.eq("simultaneous_open_connects", run["so_error"], "0", "connect() completes without an error")
    expect.eq("simultaneous_open_establishes", run["client_state"], "ESTABLISHED",
              "the peer's ACK establishes the connection")
    conn = run.connection()
    kernel_syn = next(s for s in conn.segments if conn.from_client(s) and s.has("SYN"))
    peer_syn = peer_segment(conn, "SYN")
    after = kernel_answers_after(conn, peer_syn)
    expect.eq("synack_repeats_iss", [(s.label, s.seq, s.ack) for s in after[:1]],
              [("SYN+ACK", kernel_syn.seq, (peer_syn.seq + 1) % 2**32)],
              "on the wire the SYN+ACK carries the kernel's ISS again and acknowledges the peer's SYN")


@pytest.mark.behaviour("tcp_syn_answered_by_syn")
@pytest.mark.control("the peer answers the kernel's SYN with SYN+ACK")
def test_tcp_syn_answered_by_syn_synack_control(probe, family, expect):
    run = probe("--synack")
    expect.eq("synack_answered_by_ack", run["answers_to_syn"], ["ACK"],
              "a SYN+ACK is answered by a bare ACK, not a SYN+ACK")
    expect.eq("synack_establishes_at_once", run["state_after_syn"], "ESTABLISHED",
              "a SYN+ACK establishes the connection at once, without SYN-RECEIVED")
