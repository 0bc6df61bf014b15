"""TCP_DEFER_ACCEPT (tcp(7)): the listener wakes accept() only when data has
arrived; until then the bare final ACK is dropped and the connection stays a
request socket (net/ipv4/tcp_minisocks.c tcp_check_req(), TCPDeferAcceptDrop)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_defer_accept")
def test_tcp_defer_accept(probe, family):
    run = probe("--defer-s", 5)
    assert run.call("connect", "client")["ret"] == 0, "the client's connect() returns as usual"
    assert run["ack_dropped"] == 1, "the server dropped the bare final ACK (TcpExt TCPDeferAcceptDrop +1)"
    assert run["queue_before_data"] == 0, "nothing is in the accept queue while no data has arrived"
    assert run["request_sockets_before_data"] == 1, "the connection waits as a request socket (SYN-RECV)"
    assert run["accept_before_data"] == "EAGAIN", "a non-blocking accept() finds nothing"
    assert run["queued_after_data"] is True and run["accept_after_data"] == "0", "data makes it acceptable"
    assert run["read_at_once"] == "first request", "accept() returns with the data already readable"

    conn = run.connection()
    checks.three_way_handshake(conn)
    data = next(s for s in conn.segments if s.length > 0)
    assert conn.from_client(data)
    accepts = run.calls("accept", "server")
    assert accepts[0]["end_real_ns"] < data.t_ns < accepts[1]["t_real_ns"], \
        "the EAGAIN accept() came before the data, the successful one after it"


@pytest.mark.behaviour("tcp_defer_accept")
@pytest.mark.control("TCP_DEFER_ACCEPT not set")
def test_tcp_defer_accept_not_set_control(probe, family):
    """The check 'accept() finds nothing before data' fails without the option:
    the handshake alone queues the connection."""
    run = probe("--defer-s", 0)
    assert run["ack_dropped"] == 0
    assert run["queue_before_data"] == 1
    assert run["accept_before_data"] == "0", "accept() returns the connection before any data"
