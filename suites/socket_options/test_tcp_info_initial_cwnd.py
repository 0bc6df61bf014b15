"""The initial window (RFC 6928 §2; TCP_INIT_CWND in include/net/tcp.h): ten segments.

Every pure ACK of the server is dropped, so what the client sends is what its
initial window allows. The segments that leave inside send() are the window:
later ones (a tail loss probe may send one more new segment) are left out."""
import pytest

from sockspec.checks.tcp_data import new_data_segments
from sockspec.targets import Fault

PORT = 40130
DROP_SERVER_ACKS = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)


def _bytes_left_inside_send(run):
    send = run.call("send", "client")
    return sum(s.length for s in new_data_segments(run.connection()) if s.t_ns <= send["end_real_ns"])


@pytest.mark.behaviour("tcp_info_initial_cwnd")
def test_tcp_info_initial_cwnd(probe, family, expect):
    run = probe("--port", PORT, "--mss", 1000, "--bytes", 15000, faults=[DROP_SERVER_ACKS])
    start = run["after_handshake"]
    expect.eq("initial_cwnd_ten", start["snd_cwnd"], 10, "after the handshake TCP_INFO's snd_cwnd is 10 segments")
    expect.eq("ten_segments_wire", _bytes_left_inside_send(run), 10 * start["snd_mss"],
              "with no ACK back, send() puts ten segments on the wire and no more")
    # A tail loss probe may add an eleventh segment after send() returned (tcp_send_loss_probe).
    expect.between("ten_segments_flight", run["after_send"]["unacked"], 10, 11,
                   "TCP_INFO then shows the ten segments in flight (eleven once a tail loss probe sent one more)")


@pytest.mark.behaviour("tcp_info_initial_cwnd")
@pytest.mark.control("after a retransmission timeout")
def test_tcp_info_initial_cwnd_after_timeout_control(probe, family, expect):
    """After a retransmission timeout the window is one segment, not ten (RFC 5681 §3.1)."""
    run = probe("--port", PORT, "--mss", 1000, "--bytes", 15000, "--until-timeout", faults=[DROP_SERVER_ACKS])
    expect.true("timeout_happened", run["timed_out"], "the retransmission timer fired")
    expect.eq("cwnd_one_after_timeout", run["after_timeout"]["snd_cwnd"], 1, "TCP_INFO's snd_cwnd is 1 after the timeout")
