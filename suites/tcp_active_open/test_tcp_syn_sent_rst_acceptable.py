"""RFC 9293 §3.10.7.3 (SYN-SENT STATE): "If the ACK was acceptable, then
signal to the user 'error: connection reset', drop the segment, enter CLOSED
state"; an RST whose ACK is not acceptable is dropped (net/ipv4/tcp_input.c
tcp_rcv_synsent_state_process(): the ACK is checked before the RST; connect(2)
ECONNREFUSED)."""
import pytest

from sockspec.checks.tcp_active_open import without_syn_retransmissions


@pytest.mark.behaviour("tcp_syn_sent_rst_acceptable")
def test_tcp_syn_sent_rst_acceptable(probe, family, expect):
    run = probe()
    expect.eq("connect_in_progress", run["connect"], "EINPROGRESS",
              "the non-blocking connect() returns EINPROGRESS")
    expect.eq("rst_refuses_connect", run["so_error"], "ECONNREFUSED",
              "an RST acknowledging the SYN makes the pending connect() fail with ECONNREFUSED")
    expect.eq("refused_polls_err_hup", run["poll_outcome"], "POLLOUT|POLLERR|POLLHUP",
              "the refused socket polls POLLOUT|POLLERR|POLLHUP")
    expect.eq("rst_closes_connection", run["client_state"], "CLOSE", "the connection is CLOSED after the RST")
    expect.eq("rst_unanswered", without_syn_retransmissions(run["answers"]), [], "the kernel does not answer the RST")


@pytest.mark.behaviour("tcp_syn_sent_rst_acceptable")
@pytest.mark.control("the RST's ACK number is 1000 past the kernel's ISS + 1")
def test_tcp_syn_sent_rst_acceptable_bad_ack_control(probe, family, expect):
    run = probe("--ack-offset", "1000")
    expect.eq("bad_ack_rst_ignored", run["so_error"], "0",
              "an RST whose ACK is not acceptable leaves no pending error")
    expect.eq("bad_ack_rst_keeps_syn_sent", run["client_state"], "SYN-SENT",
              "an RST whose ACK is not acceptable leaves the connection in SYN-SENT")
    expect.eq("bad_ack_rst_unanswered", without_syn_retransmissions(run["answers"]), [], "the kernel does not answer the ignored RST")
