"""Nagle's algorithm and TCP_NODELAY (RFC 1122 §4.2.3.4, tcp(7); tcp_nagle_check in tcp_output.c).

The server's first pure ACK is dropped so that the first small segment is
certainly unacknowledged while the client writes (held by the retransmission
timer, at least 200 ms), instead of relying on loopback's timing."""
import pytest

from sockspec.targets import Fault
from sockspec.tcp_data_flow import new_data_segments

PORT = 40100
DROP_FIRST_ACK = Fault(f"tcp sport {PORT} tcp flags == ack", count=1)


@pytest.mark.behaviour("tcp_nagle_nodelay")
def test_tcp_nagle_nodelay(probe, family):
    # A 500 ms minimum RTO keeps the first segment outstanding well past the writes, even under load.
    run = probe("--port", PORT, "--writes", 5, "--size", 10, faults=[DROP_FIRST_ACK],
                sysctls={"net.ipv4.tcp_rto_min_us": 500_000})
    writes, size = run["writes"], run["size"]
    assert run["received"] == writes * size and run["all_acked"]
    assert run["data_segs_out_after_writes"] == 1, \
        "after 5 writes only the first has left: Nagle holds small writes while data is unacknowledged"
    assert run["notsent_after_writes"] == (writes - 1) * size, "the other writes wait in the send buffer"

    conn = run.connection()
    new = new_data_segments(conn)
    assert new[0].length == size, "the first write leaves alone"
    assert len(new) < writes, f"the small writes are coalesced on the wire: {[s.length for s in new]}"
    assert sum(s.length for s in new) == writes * size
    last_write = run.calls("send", "client")[-1]
    assert all(s.t_ns > last_write["end_real_ns"] for s in new[1:]), \
        "the held writes left only after the last write, when the first segment was acknowledged"


@pytest.mark.behaviour("tcp_nagle_nodelay")
@pytest.mark.control("TCP_NODELAY on the client")
def test_tcp_nagle_nodelay_control(probe, family):
    """With TCP_NODELAY the same writes, under the same dropped ACK, are one segment each."""
    run = probe("--port", PORT, "--writes", 5, "--size", 10, "--nodelay", faults=[DROP_FIRST_ACK],
                sysctls={"net.ipv4.tcp_autocorking": 0})  # autocorking could merge writes too
    assert run["data_segs_out_after_writes"] == run["writes"], "each write left at once"
    new = new_data_segments(run.connection())
    assert [s.length for s in new] == [run["size"]] * run["writes"], "one segment per write on the wire"
