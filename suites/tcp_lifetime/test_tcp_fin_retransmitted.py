"""A FIN occupies a sequence number and is retransmitted like data until it
is acknowledged (RFC 9293 §3.5, §3.8.1; net/ipv4/tcp_timer.c
tcp_retransmit_timer())."""
import pytest

from sockspec.checks.tcp_lifetime import ack_of_fin, fins_from
from sockspec.targets import Fault

PORT = 7102
# The server sends no data, so its first pure ACK is the one for the client's FIN.
ACK_OF_FIN = Fault(f"tcp sport {PORT} tcp flags & (fin|syn|rst|ack) == ack", count=1)


@pytest.mark.behaviour("tcp_fin_retransmitted")
def test_tcp_fin_retransmitted(probe, family, expect):
    run = probe("--port", PORT, faults=[ACK_OF_FIN])
    expect.eq("client_reaches_fin_wait_2", run["client_state"], "FIN-WAIT-2",
              "the client reaches FIN-WAIT-2 once a FIN is acknowledged")
    expect.eq("server_close_wait", run["server_state"], "CLOSE-WAIT", "the server got the first FIN: CLOSE-WAIT")
    conn = run.connection()
    fins = fins_from(conn)
    expect.ge("fin_retransmitted", len(fins), 2, "the client sends its FIN again when the ACK is lost")
    expect.eq("retransmission_same_sequence", len({s.seq for s in fins}), 1,
              "every FIN carries the same sequence number: a retransmission")
    expect.true("retransmitted_fin_acknowledged", bool(fins) and ack_of_fin(conn, fins[-1]) is not None,
                "the server acknowledges the retransmitted FIN")


@pytest.mark.behaviour("tcp_fin_retransmitted")
@pytest.mark.control("no packet dropped")
def test_tcp_fin_retransmitted_no_loss_control(probe, family, expect):
    """With the ACK delivered the FIN crosses once."""
    run = probe("--port", PORT)
    expect.eq("client_reaches_fin_wait_2", run["client_state"], "FIN-WAIT-2",
              "the client reaches FIN-WAIT-2 once a FIN is acknowledged")
    expect.eq("one_fin_without_loss", len(fins_from(run.connection())), 1, "the FIN crosses once when nothing is lost")
