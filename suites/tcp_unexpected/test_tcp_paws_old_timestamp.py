"""RFC 7323 §5.3 (PAWS): a segment whose TSval is older than TS.Recent is
dropped and acknowledged (net/ipv4/tcp_input.c tcp_validate_incoming():
tcp_paws_discard(), tcp_send_dupack())."""
import pytest

from sockspec.checks.tcp_unexpected import answers_to_data


@pytest.mark.behaviour("tcp_paws_old_timestamp")
def test_tcp_paws_old_timestamp(probe, family, expect):
    run = probe("--tsval", "older")
    expect.true("timestamps_negotiated", run["timestamps_negotiated"],
                "the SYN+ACK carries the timestamp option the peer's SYN offered")
    conn = run.connection()
    answers = answers_to_data(conn)
    expect.eq("old_tsval_answered_by_ack", [s.label for s in answers], ["ACK"],
              "a segment with an old TSval is answered by one ACK")
    expect.eq("ack_does_not_cover_data", [conn.rel_ack(s) for s in answers], [1],
              "the ACK acknowledges RCV.NXT, not the data")
    expect.eq("old_tsval_data_not_queued", run["server_queued"], 0, "the data of a segment with an old TSval is dropped")
    expect.eq("recv_finds_nothing", run["server_recv"], "EAGAIN", "a non-blocking recv() finds nothing")


@pytest.mark.behaviour("tcp_paws_old_timestamp")
@pytest.mark.control("a TSval newer than the last one")
def test_tcp_paws_old_timestamp_newer_control(probe, family, expect):
    run = probe("--tsval", "newer")
    expect.eq("newer_tsval_data_queued", run["server_queued"], 100, "data with a newer TSval is queued")
    expect.eq("recv_reads_it", run["server_recv"], "100", "recv() reads the 100 bytes")
