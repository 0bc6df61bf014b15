"""CLOSE in SYN-SENT deletes the TCB (RFC 9293 §3.10.4); Linux's tcp_close()
of a SYN-SENT socket sets it CLOSED with no segment (tcp_close_state())."""
import pytest

from sockspec import flow
from sockspec.targets import Fault

PORT = 7101
DROP_SYNS = Fault(f"tcp dport {PORT} tcp flags & (syn|ack) == syn", count=0)


def client_segments(run):
    client = flow.Endpoint.parse(run["client_addr"])
    return [s for s in run.segments() if s.src == client]


@pytest.mark.behaviour("tcp_close_in_syn_sent")
def test_tcp_close_in_syn_sent(probe, family, expect):
    run = probe("--port", PORT, faults=[DROP_SYNS])
    expect.eq("connect_in_progress", run["connect"], "EINPROGRESS", "the non-blocking connect() is in progress")
    expect.eq("syn_sent_before_close", run["state_before_close"], "SYN-SENT", "the connection is in SYN-SENT")
    expect.eq("close_deletes_connection", run["state_after"], "none",
              "after close() the kernel holds no socket for the connection")
    expect.eq("close_sends_nothing", [s.label for s in client_segments(run)], [],
              "close() in SYN-SENT sends nothing (no RST: the peer knows nothing of it)")


@pytest.mark.behaviour("tcp_close_in_syn_sent")
@pytest.mark.control("the descriptor kept open instead of closed")
def test_tcp_close_in_syn_sent_keep_open_control(probe, family, expect):
    """Without the close() the connection lives on and retransmits its SYN."""
    run = probe("--port", PORT, "--keep-open", faults=[DROP_SYNS])
    expect.true("syn_retransmitted", run["syn_retransmitted"], "the kept connection retransmits its SYN")
    expect.eq("kept_connection_syn_sent", run["state_after"], "SYN-SENT",
              "a SYN-SENT connection whose descriptor is kept stays in SYN-SENT")
