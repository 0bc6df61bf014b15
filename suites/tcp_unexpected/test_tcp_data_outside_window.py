"""RFC 9293 §3.10.7.4 (first, check sequence number): a segment outside the
receive window is dropped and answered by an ACK for RCV.NXT (net/ipv4/
tcp_input.c tcp_validate_incoming(), tcp_send_dupack())."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_data


@pytest.mark.behaviour("tcp_data_outside_window")
def test_tcp_data_outside_window(probe, family, expect):
    run = probe("--seq", "outside")
    conn = run.connection()
    answers = answers_to_data(conn)
    expect.eq("outside_data_answered_by_ack", [s.label for s in answers], ["ACK"],
              "data outside the receive window is answered by one ACK")
    expect.eq("ack_names_rcv_nxt", [conn.rel_ack(s) for s in answers], [1],
              "the ACK acknowledges RCV.NXT, not the data")
    expect.eq("outside_data_not_queued", run["server_queued"], 0, "none of the data is queued for the reader")
    expect.eq("recv_finds_nothing", run["server_recv"], "EAGAIN", "a non-blocking recv() finds nothing")


@pytest.mark.behaviour("tcp_data_outside_window")
@pytest.mark.control("the data starts at RCV.NXT")
def test_tcp_data_outside_window_in_window_control(probe, family, expect):
    run = probe("--seq", "in-window")
    expect.eq("in_window_data_queued", run["server_queued"], 100, "data at RCV.NXT is queued for the reader")
    expect.eq("recv_reads_it", run["server_recv"], "100", "recv() reads the 100 bytes")
