"""Tail loss probe (RFC 8985 §7; net/ipv4/tcp_output.c tcp_schedule_loss_probe(),
tcp_send_loss_probe()): when the last two of three segments are not
acknowledged, the kernel retransmits the last one after the probe timeout;
the route's rto_min of 3 s keeps the retransmission timeout well after it."""
import pytest

LAST_SEGMENT = {"seq": 2001, "len": 1000}    # relative to the kernel's ISN; MSS 1000
FIRST_UNACKED = {"seq": 1001, "len": 1000}


@pytest.mark.behaviour("tcp_tail_loss_probe")
def test_tcp_tail_loss_probe(probe, family, expect):
    run = probe()
    expect.eq("flight_of_three", run["segments_sent"], 3, "the kernel sends the 3000 bytes as three segments")
    expect.eq("probe_resends_last_segment", run["next_segment"], LAST_SEGMENT,
              "the first retransmission is the flight's last segment: the tail loss probe")
    expect.eq("loss_probe_counted", run["loss_probes"], 1, "one tail loss probe (TcpExt TCPLossProbes)")
    expect.eq("probe_before_timeout", run["timeouts"], 0, "no retransmission timeout expired before it (TcpExt TCPTimeouts)")


@pytest.mark.behaviour("tcp_tail_loss_probe")
@pytest.mark.control("net.ipv4.tcp_early_retrans=0")
def test_tcp_tail_loss_probe_disabled_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_early_retrans": 0})
    expect.eq("timeout_resends_first_unacked", run["next_segment"], FIRST_UNACKED,
              "without loss probes the first retransmission is the retransmission timeout's, of the first unacknowledged segment")
    expect.eq("no_loss_probe", run["loss_probes"], 0, "no tail loss probe (TcpExt TCPLossProbes)")
    expect.eq("timeout_expired", run["timeouts"], 1, "the retransmission timeout expired (TcpExt TCPTimeouts)")
