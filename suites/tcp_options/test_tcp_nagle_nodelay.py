"""Nagle's algorithm and TCP_NODELAY (RFC 1122 §4.2.3.4, tcp(7); tcp_nagle_check in tcp_output.c).

The server's first pure ACK is dropped so that the first small segment is
certainly unacknowledged while the client writes (held by the retransmission
timer, at least 200 ms), instead of relying on loopback's timing."""
import pytest

from sockspec.targets import Fault
from sockspec.checks.tcp_data import new_data_segments

PORT = 40100
DROP_FIRST_ACK = Fault(f"tcp sport {PORT} tcp flags == ack", count=1)


@pytest.mark.behaviour("tcp_nagle_nodelay")
def test_tcp_nagle_nodelay(probe, family, expect):
    # A 500 ms minimum RTO keeps the first segment outstanding well past the writes, even under load.
    run = probe("--port", PORT, "--writes", 5, "--size", 10, "--rto-min-ms", 500, faults=[DROP_FIRST_ACK])
    writes, size = run["writes"], run["size"]
    expect.true("received_writes_size_acked", bool(run["received"] == writes * size and run["all_acked"]),
                "every byte arrives and is acknowledged")
    expect.eq("c_5_writes_only_first_left", run["data_segs_out_after_writes"], 1,
              "after 5 writes only the first has left: Nagle holds small writes while data is unacknowledged")
    expect.eq("other_writes_wait_send_buffer", run["notsent_after_writes"], (writes - 1) * size,
              "the other writes wait in the send buffer")

    conn = run.connection()
    new = new_data_segments(conn)
    expect.eq("first_write_leaves_alone", new[0].length, size, "the first write leaves alone")
    expect.lt("small_writes_coalesced_wire", len(new), writes, "the small writes are coalesced on the wire")
    expect.eq("all_bytes_cross", sum(s.length for s in new), writes * size, "every byte written crosses")
    last_write = run.calls("send", "client")[-1]
    expect.true("held_writes_left_only_last", bool(all(s.t_ns > last_write["end_real_ns"] for s in new[1:])),
                "the held writes left only after the last write, when the first segment was acknowledged")


@pytest.mark.behaviour("tcp_nagle_nodelay")
@pytest.mark.control("TCP_NODELAY on the client")
def test_tcp_nagle_nodelay_control(probe, family, expect):
    """With TCP_NODELAY the same writes, under the same dropped ACK, are one segment each."""
    run = probe("--port", PORT, "--writes", 5, "--size", 10, "--nodelay", faults=[DROP_FIRST_ACK],
                sysctls={"net.ipv4.tcp_autocorking": 0})  # autocorking could merge writes too
    expect.eq("write_left", run["data_segs_out_after_writes"], run["writes"], "each write left at once")
    new = new_data_segments(run.connection())
    expect.eq("segment_per_write_wire", [s.length for s in new], [run["size"]] * run["writes"],
              "one segment per write on the wire")
