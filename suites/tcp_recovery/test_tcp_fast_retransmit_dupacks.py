"""Fast retransmit (RFC 5681 §3.2; net/ipv4/tcp_input.c tcp_newreno_mark_lost(),
tcp_time_to_recover()): the third duplicate ACK, not the retransmission
timeout, makes the kernel resend the segment the ACKs name. The route's
rto_min of 3 s keeps any timeout outside the probe's 1.5 s wait."""
import pytest

SECOND_SEGMENT = {"seq": 1001, "len": 1000}  # relative to the kernel's ISN; MSS 1000


@pytest.mark.behaviour("tcp_fast_retransmit_dupacks")
def test_tcp_fast_retransmit_dupacks(probe, family, expect):
    run = probe("--dupacks", 3)
    expect.eq("flight_of_five", run["segments_sent"], 5, "the kernel sends the 5000 bytes as five segments")
    expect.eq("third_dupack_retransmits", run["next_segment"], SECOND_SEGMENT,
              "after three duplicate ACKs the kernel retransmits the segment they name")
    expect.eq("retransmit_is_fast", run["fast_retransmits"], 1, "the retransmission is a fast retransmit (TcpExt TCPFastRetrans)")
    expect.eq("no_timeout_before_retransmit", run["timeouts"], 0, "no retransmission timeout expired (TcpExt TCPTimeouts)")
    conn = run.connection()
    resent = [s for s in conn.segments if not conn.from_client(s) and s.length and conn.rel_seq(s) == 1001]
    expect.eq("wire_second_segment_twice", len(resent), 2, "the capture shows the second segment sent twice")


@pytest.mark.behaviour("tcp_fast_retransmit_dupacks")
@pytest.mark.control("two duplicate ACKs, one short of the threshold")
def test_tcp_fast_retransmit_dupacks_two_control(probe, family, expect):
    run = probe("--dupacks", 2)
    expect.eq("two_dupacks_no_retransmit", run["next_segment"], "none",
              "after two duplicate ACKs the kernel sends nothing within 1.5 s")
    expect.eq("no_fast_retransmit", run["fast_retransmits"], 0, "no fast retransmit (TcpExt TCPFastRetrans)")
