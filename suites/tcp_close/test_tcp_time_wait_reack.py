"""TIME-WAIT exists so that the last ACK can be sent again (RFC 9293 §3.6.1;
net/ipv4/tcp_minisocks.c tcp_timewait_state_process() answers a retransmitted FIN
with TCP_TW_ACK)."""
import pytest

from sockspec.observed import Unobservable
from sockspec.targets import Fault

PORT = 7001
# The server closes first, so its only pure ACK is the last ACK of the teardown.
LAST_ACK = Fault(f"tcp sport {PORT} tcp flags & (fin|syn|rst|ack) == ack", count=1)
# A short minimum RTO keeps the client's FIN retransmission cheap.
RTO_MIN = ("--rto-min-ms", 50)


def client_fins(conn):
    return [s for s in conn.segments if conn.from_client(s) and s.has("FIN")]


@pytest.mark.behaviour("tcp_time_wait_reack")
def test_tcp_time_wait_reack(probe, family, expect):
    run = probe("--port", PORT, *RTO_MIN, faults=[LAST_ACK])
    expect.eq("client_reads_eof_servers_fin", run["client_read"], "0", "the client reads EOF after the server's FIN")
    expect.eq("client_closes_second_from_close_wait", run["client_state_at_close"], "CLOSE-WAIT",
              "the client, which closes second, closes from CLOSE-WAIT")
    expect.true("clients_last_ack_socket_gone", run["settled"],
                "the client's LAST-ACK socket is gone in the end: its FIN was acknowledged")
    expect.eq("server_closed_first_time_wait", run["server_after"], "TIME-WAIT",
              "the server, which closed first, is in TIME-WAIT")

    conn = run.connection()
    fins = client_fins(conn)
    # A socket that close()s from CLOSE-WAIT and retransmits its FIN until it is
    # acknowledged waits in LAST-ACK (RFC 9293 3.3.2): the wire shows it, where
    # sampling the state could miss it.
    expect.eq("client_sent_fin_twice_first", len(fins), 2,
              "the client sent its FIN twice (its first was never acknowledged)", claim="SEED-5")
    expect.eq("second_fin_retransmission_same_sequence", fins[0].seq, fins[1].seq,
              "the second FIN is a retransmission (same sequence number)")
    after = conn.segments[conn.segments.index(fins[1]) + 1:]
    reacks = [s for s in after if not conn.from_client(s) and s.flags_exactly("ACK")
              and s.ack == (fins[1].seq + 1) % 2**32]
    expect.true("time_wait_server_acknowledges_retransmitted", bool(reacks),
                "the TIME-WAIT server acknowledges the retransmitted FIN", claim="SEED-5")
    expect.true("no_rst_time_wait_socket", not any(s.has("RST") for s in conn.segments),
                "no RST: the TIME-WAIT socket answers with an ACK")


@pytest.mark.behaviour("tcp_time_wait_reack")
@pytest.mark.control("no packet dropped")
def test_tcp_time_wait_reack_no_loss_control(probe, family, expect):
    """Without the lost ACK the client's FIN crosses once and is acknowledged once."""
    run = probe("--port", PORT, *RTO_MIN)
    settled = run["settled"]  # unobservable where sock_diag fails
    expect.true("settled_server_time_wait",
                settled if isinstance(settled, Unobservable) else bool(settled and run["server_after"] == "TIME-WAIT"),
                "the server settles in TIME-WAIT")
    conn = run.connection()
    fins = client_fins(conn)
    expect.eq("fin_passive_side_nothing_lost", len(fins), 1,
              "one FIN from the passive side when nothing is lost, not")
    acks = [s for s in conn.segments if not conn.from_client(s) and s.flags_exactly("ACK")
            and s.ack == (fins[0].seq + 1) % 2**32]
    expect.eq("last_ack", len(acks), 1, "one last ACK")
