"""SIOCOUTQ (tcp(7) ioctls): the bytes not yet acknowledged by the peer.

Every pure ACK of the server is dropped, so the bytes the server did receive
stay unacknowledged at the client."""
import pytest

from sockspec.targets import Fault

PORT = 40110
DROP_SERVER_ACKS = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)


@pytest.mark.behaviour("tcp_siocoutq_unacked_bytes")
def test_tcp_siocoutq_unacked_bytes(probe, family, expect):
    run = probe("--port", PORT, "--bytes", 100, faults=[DROP_SERVER_ACKS])
    expect.eq("server_received_all", run["received"], 100, "the server received and read the 100 bytes")
    expect.eq("unacked_bytes_counted", run["outq"], 100, "with their ACK lost, SIOCOUTQ still counts the 100 bytes")
    expect.eq("nothing_unsent", run["outq_not_sent"], 0, "SIOCOUTQNSD says 0: all of them were sent")
    conn = run.connection()
    acks = [s for s in conn.segments if not conn.from_client(s) and s.flags_exactly("ACK")]
    expect.eq("no_ack_on_wire", len(acks), 0, "the capture shows no pure ACK from the server")


@pytest.mark.behaviour("tcp_siocoutq_unacked_bytes")
@pytest.mark.control("the server's ACKs delivered")
def test_tcp_siocoutq_unacked_bytes_acked_control(probe, family, expect):
    """Once the ACK arrives SIOCOUTQ drops to 0."""
    run = probe("--port", PORT, "--bytes", 100)
    expect.eq("acked_bytes_leave_count", run["outq"], 0, "acknowledged, the 100 bytes leave SIOCOUTQ's count")
