"""shutdown(SHUT_RD) on Linux (shutdown(2); net/ipv4/tcp.c tcp_shutdown() acts
only on SEND_SHUTDOWN; tcp_recvmsg_locked() copies queued data before it checks
RCV_SHUTDOWN)."""
import pytest

LATE = "data sent after the peer's SHUT_RD\n"


@pytest.mark.behaviour("tcp_shutdown_rd")
def test_tcp_shutdown_rd(probe, family, expect):
    run = probe()
    expect.eq("shutdown_rd_succeeds", run.call("shutdown", side="client")["ret"], 0,
              "shutdown(SHUT_RD) succeeds")
    expect.eq("read_shut_rd_returns_0", run["read_after_shutdown"], "0", "a read after SHUT_RD returns 0 at once")
    expect.eq("poll_reports_read_side_shut", run["poll_after_shutdown"], "POLLIN|POLLRDHUP",
              "poll() reports the read side shut down")
    expect.eq("shut_rd_changes_no_tcp", run["client_state"], "ESTABLISHED", "SHUT_RD changes no TCP state")
    expect.true("data_peer_sends_afterwards_queued", bool(run["late_data_queued"]),
                "data the peer sends afterwards is still queued (SIOCINQ)")
    expect.true("next_read_returns_linux_does", bool(run["read_late"] == str(len(LATE)) and run["read_late_data"] == LATE),
                "and the next read returns it: Linux does not discard it")
    expect.eq("queue_empty_again_reads_return", run["read_again"], "0", "with the queue empty again, reads return 0")
    expect.ne("write_side_works", run["client_write"], "EPIPE", "the write side still works")

    conn = run.connection()
    shutdown = run.call("shutdown", side="client")
    data = conn.first(lambda s: not conn.from_client(s) and s.length > 0)
    expect.true("data_not_none_conn_segments", bool(data is not None and conn.segments[data].length == len(LATE)),
                "the late data crosses the wire whole")
    between = [s for s in conn.segments[:data] if s.t_ns >= shutdown["t_real_ns"]]
    expect.true("shut_rd_sends_nothing", not between, "SHUT_RD sends nothing")
    ack = conn.first(lambda s: conn.from_client(s) and "ACK" in s.flags and not s.has("RST")
                     and s.ack == (conn.segments[data].seq + len(LATE)) % 2**32, data + 1)
    expect.true("clients_kernel_acknowledges_late_data", ack is not None,
                "the client's kernel acknowledges the late data")
