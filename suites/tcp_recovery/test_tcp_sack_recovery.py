"""SACK-based loss recovery (RFC 6675 §5; RFC 8985 §6.2; net/ipv4/tcp_input.c
tcp_fastretrans_alert(), tcp_rack_detect_loss()): one ACK whose SACK block
covers three segments above a hole makes the kernel retransmit the hole at once.
The route's rto_min of 3 s keeps any timeout outside the probe's 1.5 s wait."""
import pytest

SECOND_SEGMENT = {"seq": 1001, "len": 1000}  # relative to the kernel's ISN; MSS 1000
# No tail loss probe: on a loaded machine it can fire (resending segment 5) before
# the peer's SACK arrives; tcp_tail_loss_probe is its own behaviour.
NO_TLP = {"net.ipv4.tcp_early_retrans": 0}


@pytest.mark.behaviour("tcp_sack_recovery")
def test_tcp_sack_recovery(probe, family, expect):
    run = probe(sysctls=NO_TLP)
    expect.eq("flight_of_five", run["segments_sent"], 5, "the kernel sends the 5000 bytes as five segments")
    expect.eq("sack_above_hole_retransmits", run["next_segment"], SECOND_SEGMENT,
              "one ACK that SACKs three segments above a hole makes the kernel retransmit the hole")
    expect.eq("sack_recovery_entered", run["sack_recoveries"], 1, "the kernel enters SACK recovery (TcpExt TCPSackRecovery)")
    expect.eq("no_timeout_before_retransmit", run["timeouts"], 0, "no retransmission timeout expired (TcpExt TCPTimeouts)")


@pytest.mark.behaviour("tcp_sack_recovery")
@pytest.mark.control("the same ACK without its SACK block")
def test_tcp_sack_recovery_no_block_control(probe, family, expect):
    run = probe("--no-sack-block", sysctls=NO_TLP)
    expect.eq("lone_ack_no_retransmit", run["next_segment"], "none",
              "an ACK of the first segment without SACK block makes the kernel send nothing within 1.5 s")
    expect.eq("no_sack_recovery", run["sack_recoveries"], 0, "the kernel does not enter SACK recovery (TcpExt TCPSackRecovery)")
