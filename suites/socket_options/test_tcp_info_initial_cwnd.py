"""The initial window (RFC 6928 §2; TCP_INIT_CWND in include/net/tcp.h): ten segments.

Every pure ACK of the server is dropped, so what the client sends is what its
initial window allows. Tail loss probes are off (net.ipv4.tcp_early_retrans=0):
a probe sends one new segment beyond the window (tcp_send_loss_probe), and on
a loaded machine its timer can fire before send() returns."""
import pytest

from sockspec.checks.tcp_data import new_data_segments
from sockspec.targets import Fault

PORT = 40130
DROP_SERVER_ACKS = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)
NO_TAIL_LOSS_PROBE = {"net.ipv4.tcp_early_retrans": 0}


def _new_bytes_sent(run):
    return sum(s.length for s in new_data_segments(run.connection()))


@pytest.mark.behaviour("tcp_info_initial_cwnd")
def test_tcp_info_initial_cwnd(probe, family, expect):
    run = probe("--port", PORT, "--mss", 1000, "--bytes", 15000, faults=[DROP_SERVER_ACKS], sysctls=NO_TAIL_LOSS_PROBE)
    start = run["after_handshake"]
    expect.eq("initial_cwnd_ten", start["snd_cwnd"], 10, "after the handshake TCP_INFO's snd_cwnd is 10 segments")
    expect.eq("ten_segments_wire", _new_bytes_sent(run), 10 * start["snd_mss"],
              "with no ACK back, ten segments of new data cross the wire and no more")
    expect.eq("ten_segments_flight", run["after_send"]["unacked"], 10, "TCP_INFO shows ten segments in flight")


@pytest.mark.behaviour("tcp_info_initial_cwnd")
@pytest.mark.control("after a retransmission timeout")
def test_tcp_info_initial_cwnd_after_timeout_control(probe, family, expect):
    """After a retransmission timeout the window is one segment, not ten (RFC 5681 §3.1)."""
    run = probe("--port", PORT, "--mss", 1000, "--bytes", 15000, "--until-timeout", faults=[DROP_SERVER_ACKS],
                sysctls=NO_TAIL_LOSS_PROBE)
    expect.true("timeout_happened", run["timed_out"], "the retransmission timer fired")
    expect.eq("cwnd_one_after_timeout", run["after_timeout"]["snd_cwnd"], 1, "TCP_INFO's snd_cwnd is 1 after the timeout")
