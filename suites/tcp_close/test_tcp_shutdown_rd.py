"""shutdown(SHUT_RD) on Linux (shutdown(2); net/ipv4/tcp.c tcp_shutdown() acts
only on SEND_SHUTDOWN; tcp_recvmsg_locked() copies queued data before it checks
RCV_SHUTDOWN)."""
import pytest

LATE = "data sent after the peer's SHUT_RD\n"


@pytest.mark.behaviour("tcp_shutdown_rd")
def test_tcp_shutdown_rd(probe, family):
    run = probe()
    assert run.call("shutdown", side="client")["ret"] == 0
    assert run["read_after_shutdown"] == "0", "a read after SHUT_RD returns 0 at once"
    assert run["poll_after_shutdown"] == "POLLIN|POLLRDHUP", "poll() reports the read side shut down"
    assert run["client_state"] == "ESTABLISHED", "SHUT_RD changes no TCP state"
    assert run["late_data_queued"], "data the peer sends afterwards is still queued (SIOCINQ)"
    assert run["read_late"] == str(len(LATE)) and run["read_late_data"] == LATE, \
        "and the next read returns it: Linux does not discard it"
    assert run["read_again"] == "0", "with the queue empty again, reads return 0"
    assert run["client_write"] != "EPIPE", "the write side still works"

    conn = run.connection()
    shutdown = run.call("shutdown", side="client")
    data = conn.first(lambda s: not conn.from_client(s) and s.length > 0)
    assert data is not None and conn.segments[data].length == len(LATE)
    between = [s for s in conn.segments[:data] if s.t_ns >= shutdown["t_real_ns"]]
    assert not between, f"SHUT_RD sends nothing: {[s.label for s in between]}"
    ack = conn.first(lambda s: conn.from_client(s) and "ACK" in s.flags and not s.has("RST")
                     and s.ack == (conn.segments[data].seq + len(LATE)) % 2**32, data + 1)
    assert ack is not None, "the client's kernel acknowledges the late data"
