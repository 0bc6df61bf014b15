"""RFC 9293 §3.10.7.4 (fifth, check the ACK field) and RFC 5961 §5.2: a segment
acknowledging data never sent is answered by an ACK and dropped, its data
too (net/ipv4/tcp_input.c tcp_ack(): "the ack includes data we haven't sent
yet", tcp_send_challenge_ack())."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_data


@pytest.mark.behaviour("tcp_ack_unsent_data")
def test_tcp_ack_unsent_data(probe, family, expect):
    run = probe("--ack", "unsent")
    conn = run.connection()
    answers = answers_to_data(conn)
    expect.eq("unsent_ack_answered_by_ack", [s.label for s in answers], ["ACK"],
              "a segment acknowledging unsent data is answered by one ACK")
    expect.eq("ack_does_not_cover_data", [conn.rel_ack(s) for s in answers], [1],
              "the answer acknowledges RCV.NXT: the segment's data is not taken")
    expect.eq("unsent_ack_data_not_queued", run["server_queued"], 0, "the segment's data is dropped")
    expect.eq("recv_finds_nothing", run["server_recv"], "EAGAIN", "a non-blocking recv() finds nothing")


@pytest.mark.behaviour("tcp_ack_unsent_data")
@pytest.mark.control("the segment acknowledges SND.NXT")
def test_tcp_ack_unsent_data_snd_nxt_control(probe, family, expect):
    run = probe("--ack", "snd-nxt")
    expect.eq("valid_ack_data_queued", run["server_queued"], 100, "data acknowledging SND.NXT is queued")
    expect.eq("recv_reads_it", run["server_recv"], "100", "recv() reads the 100 bytes")
