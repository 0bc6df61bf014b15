"""A listener's answers to segments that are not a SYN, sent by the scripted
peer (RFC 9293 §3.10.7.2 LISTEN; net/ipv4/tcp_input.c tcp_rcv_state_process():
an ACK is answered with RST, RST is ignored, SYN+RST and SYN+FIN and a segment
with no flags are discarded)."""
import pytest

from sockspec.checks.tcp_unexpected import kernel_segments

STRAY_ACK = 424242  # the ack number of the peer's stray segment (probes/tcp_listener_stray_segments.cpp)


def answered(run, expect):
    expect.eq("no_connection_queued", run["accept"], "EAGAIN", "no connection is queued on the listener")
    return kernel_segments(run.connection())


@pytest.mark.behaviour("tcp_listener_stray_segments")
def test_tcp_listener_stray_segments_ack(probe, family, expect):
    run = probe("--flags", "ACK")
    expect.eq("probe_saw_rst", run["answers"], ["RST"], "the peer read one RST")
    answers = answered(run, expect)
    expect.eq("bare_ack_answered_by_rst", [s.label for s in answers], ["RST"],
              "a bare ACK to a listener is answered by one RST without ACK")
    expect.eq("rst_seq_is_the_acks_ack", [s.seq for s in answers], [STRAY_ACK],
              "the RST's sequence number is the ACK's acknowledgment number")


@pytest.mark.behaviour("tcp_listener_stray_segments")
@pytest.mark.parametrize("flags", ["RST", "SYN+RST", "SYN+FIN", "none"])
def test_tcp_listener_stray_segments_ignored(probe, family, expect, flags):
    run = probe("--flags", flags)
    expect.eq("probe_saw_nothing", run["answers"], [], "the peer read nothing on its port")
    answers = answered(run, expect)
    expect.eq("stray_segment_unanswered", [s.label for s in answers], [],
              "the listener answers nothing to RST, SYN+RST, SYN+FIN or a segment without flags")


@pytest.mark.behaviour("tcp_listener_stray_segments")
@pytest.mark.control("a SYN, which a listener answers")
def test_tcp_listener_stray_segments_syn_control(probe, family, expect):
    run = probe("--flags", "SYN")
    expect.eq("probe_saw_syn_ack", run["answers"], ["SYN+ACK"], "the peer read one SYN+ACK")
    answers = kernel_segments(run.connection())
    expect.eq("syn_answered_by_syn_ack", [s.label for s in answers][:1], ["SYN+ACK"],
              "a SYN to a listener is answered by SYN+ACK")
    expect.eq("syn_ack_acks_the_syn", [s.ack for s in answers][:1], [1000001],
              "the SYN+ACK acknowledges the SYN's sequence number plus one")
