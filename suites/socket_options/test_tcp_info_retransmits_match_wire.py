"""TCP_INFO's tcpi_total_retrans and tcpi_retransmits (tcp(7) TCP_INFO) against the capture.

The server's first two pure ACKs are dropped (at the output hook, after the
data was received), so the client's segment is captured once sent and again
each time it is retransmitted: by a tail loss probe, then by a timeout."""
import pytest

from sockspec.checks.tcp_data import retransmitted_data_segments
from sockspec.targets import Fault

PORT = 40120
DROP_TWO_SERVER_ACKS = Fault(f"tcp sport {PORT} tcp flags == ack", count=2)


@pytest.mark.behaviour("tcp_info_retransmits_match_wire")
def test_tcp_info_retransmits_match_wire(probe, family, expect):
    run = probe("--port", PORT, "--bytes", 100, faults=[DROP_TWO_SERVER_ACKS])
    info = run["client_tcp_info"]
    expect.true("acked_in_end", run["acked"], "the 100 bytes are acknowledged in the end")
    again = retransmitted_data_segments(run.connection())
    expect.ge("wire_shows_retransmissions", len(again), 1, "the capture shows the client's segment sent again")
    expect.eq("total_retrans_matches_wire", info["total_retrans"], len(again),
              "TCP_INFO's total_retrans equals the segments the capture shows sent again")
    expect.eq("retransmits_reset_once_acked", info["retransmits"], 0,
              "TCP_INFO's retransmits (timeouts in a row) is 0 again once the data is acknowledged")


@pytest.mark.behaviour("tcp_info_retransmits_match_wire")
@pytest.mark.control("no ACK dropped")
def test_tcp_info_retransmits_match_wire_no_loss_control(probe, family, expect):
    """Without loss nothing is sent twice, on the wire or in TCP_INFO."""
    run = probe("--port", PORT, "--bytes", 100)
    expect.eq("no_retransmission_wire", len(retransmitted_data_segments(run.connection())), 0,
              "the capture shows no segment sent again")
    expect.eq("total_retrans_zero", run["client_tcp_info"]["total_retrans"], 0, "TCP_INFO's total_retrans is 0")
