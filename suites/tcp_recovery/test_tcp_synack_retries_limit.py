"""The SYN+ACK's retransmission limit (tcp(7) tcp_synack_retries;
net/ipv4/inet_connection_sock.c reqsk_timer_handler(): after the last timeout
the request socket is removed; RFC 9293 §3.10.7.2: an ACK to a listener with
no connection behind it is answered by an RST). With tcp_synack_retries=1 the
SYN+ACK goes at 0 and 1 s and the request is gone at 3 s; with 5 it goes at 0,
1 and 3 s within the probe's 5 s and the request is still there."""
import pytest

from sockspec.checks.tcp_unexpected import kernel_segments


def synack_seqs(run):
    return {s.seq for s in kernel_segments(run.connection()) if s.has("SYN", "ACK")}


@pytest.mark.behaviour("tcp_synack_retries_limit")
def test_tcp_synack_retries_limit(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_synack_retries": 1})
    expect.eq("one_synack_retransmission", run["synacks"], 1 + 1,
              "with tcp_synack_retries=1 the SYN+ACK is sent once and retransmitted once")
    expect.eq("wire_synack_retransmitted", len(synack_seqs(run)), 1,
              "the retransmission repeats the SYN+ACK's sequence number")
    expect.true("request_dropped_after_retries", run["request_dropped"],
                "after its last retransmission's timeout the request socket is dropped")
    expect.eq("late_ack_draws_rst", run["answers"], ["RST"], "the peer's late ACK is answered by an RST")
    expect.eq("nothing_to_accept", run["accept"], "EAGAIN", "no connection reaches the accept queue")


@pytest.mark.behaviour("tcp_synack_retries_limit")
@pytest.mark.control("net.ipv4.tcp_synack_retries=5, the default")
def test_tcp_synack_retries_limit_default_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_synack_retries": 5})
    expect.eq("synack_retransmitted_twice_in_5s", run["synacks"], 1 + 2,
              "with tcp_synack_retries=5 the SYN+ACK is retransmitted at 1 s and 3 s within 5 s")
    expect.false("request_kept", run["request_dropped"], "the request socket is still there after 5 s")
    expect.eq("late_ack_completes", run["answers"], [], "the peer's ACK is not answered: it completes the handshake")
    expect.eq("connection_accepted", run["accept"], "ok", "accept() returns the connection")
