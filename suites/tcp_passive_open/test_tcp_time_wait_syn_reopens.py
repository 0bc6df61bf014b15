"""RFC 9293 §3.10.7.4 (TIME-WAIT) and RFC 6191 §2 (without timestamps, by
sequence number): a SYN to a TIME-WAIT socket above its RCV.NXT opens a new
connection; below it, the SYN is answered by an ACK (net/ipv4/
tcp_minisocks.c tcp_timewait_state_process(): TCP_TW_SYN, TCP_TW_ACK)."""
import pytest


@pytest.mark.behaviour("tcp_time_wait_syn_reopens")
def test_tcp_time_wait_syn_reopens(probe, family, expect):
    run = probe()
    expect.eq("higher_isn_reopens", run["answers"], ["SYN+ACK"],
              "a SYN above the TIME-WAIT connection's end is answered by the listener's SYN+ACK")


@pytest.mark.behaviour("tcp_time_wait_syn_reopens")
@pytest.mark.control("the new SYN's sequence number is below the old connection's end")
def test_tcp_time_wait_syn_reopens_lower_isn_control(probe, family, expect):
    run = probe("--lower")
    expect.eq("lower_isn_draws_ack", run["answers"], ["ACK"],
              "a SYN below the TIME-WAIT connection's end is answered by an ACK, not SYN+ACK")
