"""RFC 9293 §3.10.7.3 (SYN-SENT STATE, first): a SYN+ACK whose SEG.ACK is not
in (ISS, SND.NXT] is answered by <SEQ=SEG.ACK><CTL=RST> and dropped; the
connection stays in SYN-SENT (net/ipv4/tcp_input.c
tcp_rcv_synsent_state_process(): "reset_and_undo")."""
import pytest

from sockspec.checks.tcp_active_open import kernel_answers_after, peer_segment, without_syn_retransmissions


@pytest.mark.behaviour("tcp_synack_unacceptable_ack")
def test_tcp_synack_unacceptable_ack(probe, family, expect):
    run = probe()
    expect.eq("connect_in_progress", run["connect"], "EINPROGRESS",
              "the non-blocking connect() returns EINPROGRESS")
    expect.eq("peer_read_rst", without_syn_retransmissions(run["answers"]), ["RST"],
              "the peer read one RST in answer to the SYN+ACK")
    expect.eq("connection_stays_syn_sent", run["client_state"], "SYN-SENT",
              "the connection stays in SYN-SENT after the unacceptable SYN+ACK")
    conn = run.connection()
    synack = peer_segment(conn, "SYN", "ACK")
    answers = kernel_answers_after(conn, synack)
    expect.eq("rst_seq_is_synack_ack", [(s.label, s.seq) for s in answers], [("RST", synack.ack)],
              "on the wire the kernel answers with one RST whose sequence number is the SYN+ACK's ACK number")


@pytest.mark.behaviour("tcp_synack_unacceptable_ack")
@pytest.mark.control("the SYN+ACK acknowledges the kernel's ISS + 1")
def test_tcp_synack_unacceptable_ack_acceptable_control(probe, family, expect):
    run = probe("--ack-offset", "0")
    expect.eq("acceptable_synack_acked", without_syn_retransmissions(run["answers"]), ["ACK"],
              "an acceptable SYN+ACK is answered by an ACK, not an RST")
    expect.eq("acceptable_synack_establishes", run["client_state"], "ESTABLISHED",
              "an acceptable SYN+ACK establishes the connection")
