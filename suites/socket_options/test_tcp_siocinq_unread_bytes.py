"""SIOCINQ (tcp(7) ioctls): the unread bytes in a TCP socket's receive queue."""
import pytest


def _client_payload(run):
    conn = run.connection()
    return sum(s.length for s in conn.segments if conn.from_client(s))


@pytest.mark.behaviour("tcp_siocinq_unread_bytes")
def test_tcp_siocinq_unread_bytes(probe, family, expect):
    run = probe("--first", 100, "--read", 30, "--second", 50)
    expect.eq("counts_arrived_bytes", run["inq_after_first"], 100, "with 100 bytes arrived, SIOCINQ says 100")
    expect.eq("read_takes_30", run["read"], "30", "the read takes 30 bytes")
    expect.eq("read_bytes_leave_count", run["inq_after_read"], 70, "after reading 30, SIOCINQ says 70")
    expect.eq("new_bytes_add", run["inq_after_second"], 120, "50 more arrived: SIOCINQ says 120")
    expect.eq("empty_queue_zero", run["inq_after_all_read"], 0, "once everything is read, SIOCINQ says 0")
    expect.eq("wire_carries_150", _client_payload(run), 150, "the capture shows the 150 bytes SIOCINQ counted arriving")


@pytest.mark.behaviour("tcp_siocinq_unread_bytes")
@pytest.mark.control("the read is recv(MSG_PEEK)")
def test_tcp_siocinq_unread_bytes_peek_control(probe, family, expect):
    """A peek copies bytes without taking them, so SIOCINQ does not drop."""
    run = probe("--first", 100, "--read", 30, "--second", 50, "--peek")
    expect.eq("peek_leaves_count", run["inq_after_read"], 100, "after a 30-byte peek SIOCINQ still says 100")
    expect.eq("peeked_bytes_still_counted", run["inq_after_second"], 150, "50 more arrived: SIOCINQ says 150")
