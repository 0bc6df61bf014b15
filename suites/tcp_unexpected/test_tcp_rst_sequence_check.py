"""RFC 5961 §3.2: an RST is accepted only when its sequence number is exactly
RCV.NXT; one elsewhere in the receive window draws a challenge ACK and is
dropped; one outside the window is dropped silently (net/ipv4/tcp_input.c
tcp_validate_incoming(), tcp_send_challenge_ack())."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_last


def answers_to_rst(run):
    conn = run.connection()
    return conn, answers_to_last(conn, "RST")


@pytest.mark.behaviour("tcp_rst_sequence_check")
def test_tcp_rst_sequence_check_in_window(probe, family, expect):
    run = probe("--seq", "in-window")
    conn, answers = answers_to_rst(run)
    expect.eq("in_window_rst_draws_challenge_ack", [s.label for s in answers], ["ACK"],
              "an RST inside the window but not at RCV.NXT is answered by one ACK (the challenge ACK)")
    expect.eq("challenge_ack_acks_rcv_nxt", [conn.rel_ack(s) for s in answers], [1],
              "the challenge ACK acknowledges RCV.NXT, the sequence number an RST must carry")
    expect.eq("connection_survives_in_window_rst", run["server_state"], "ESTABLISHED",
              "the connection stays ESTABLISHED after an in-window RST")
    expect.eq("no_reset_reported", run["server_recv"], "EAGAIN", "recv() reports no reset, only no data")
    expect.eq("peer_read_challenge_ack", run["answers"], ["ACK"], "the peer read one ACK on the connection")


@pytest.mark.behaviour("tcp_rst_sequence_check")
@pytest.mark.control("the RST carries exactly RCV.NXT")
def test_tcp_rst_sequence_check_exact_control(probe, family, expect):
    run = probe("--seq", "exact")
    _, answers = answers_to_rst(run)
    expect.eq("exact_rst_unanswered", [s.label for s in answers], [],
              "an RST at exactly RCV.NXT is not answered")
    expect.eq("exact_rst_resets", run["server_state"], "CLOSE", "an RST at exactly RCV.NXT resets the connection")
    expect.eq("recv_reports_reset", run["server_recv"], "ECONNRESET", "recv() reports the reset: ECONNRESET")


@pytest.mark.behaviour("tcp_rst_sequence_check")
def test_tcp_rst_sequence_check_out_of_window(probe, family, expect):
    run = probe("--seq", "out-of-window")
    _, answers = answers_to_rst(run)
    expect.eq("out_of_window_rst_unanswered", [s.label for s in answers], [],
              "an RST outside the receive window is dropped without an answer")
    expect.eq("connection_survives_out_of_window_rst", run["server_state"], "ESTABLISHED",
              "the connection stays ESTABLISHED after an RST outside the window")
    expect.eq("no_reset_reported", run["server_recv"], "EAGAIN", "recv() reports no reset, only no data")
