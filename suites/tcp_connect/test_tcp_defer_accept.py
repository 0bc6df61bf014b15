"""TCP_DEFER_ACCEPT (tcp(7)): the listener wakes accept() only when data has
arrived; until then the bare final ACK is dropped and the connection stays a
request socket (net/ipv4/tcp_minisocks.c tcp_check_req(), TCPDeferAcceptDrop)."""
import pytest

from sockspec import checks
from sockspec.observed import Unobservable


@pytest.mark.behaviour("tcp_defer_accept")
def test_tcp_defer_accept(probe, family, expect):
    run = probe("--defer-s", 5)
    expect.eq("clients_connect_returns_usual", run.call("connect", "client")["ret"], 0,
              "the client's connect() returns as usual")
    expect.eq("server_dropped_bare_final_ack", run["ack_dropped"], 1,
              "the server dropped the bare final ACK (TcpExt TCPDeferAcceptDrop +1)")
    expect.eq("nothing_accept_queue_while_no", run["queue_before_data"], 0,
              "nothing is in the accept queue while no data has arrived")
    expect.eq("connection_waits_request_socket_syn", run["request_sockets_before_data"], 1,
              "the connection waits as a request socket (SYN-RECV)")
    expect.eq("non_blocking_accept_finds_nothing", run["accept_before_data"], "EAGAIN",
              "a non-blocking accept() finds nothing")
    queued = run["queued_after_data"]  # unobservable where the accept queue cannot be read
    expect.true("data_makes_acceptable",
                queued if isinstance(queued, Unobservable) else bool(queued is True and run["accept_after_data"] == "ok"),
                "data makes it acceptable")
    expect.eq("accept_returns_data_already_readable", run["read_at_once"], "first request",
              "accept() returns with the data already readable")

    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    data = next(s for s in conn.segments if s.length > 0)
    expect.true("data_from_client", bool(conn.from_client(data)), "the data segment comes from the client")
    accepts = run.calls("accept", "server")
    expect.true("eagain_accept_came_data_successful", accepts[0]["end_real_ns"] < data.t_ns < accepts[1]["t_real_ns"],
                "the EAGAIN accept() came before the data, the successful one after it")


@pytest.mark.behaviour("tcp_defer_accept")
@pytest.mark.control("TCP_DEFER_ACCEPT not set")
def test_tcp_defer_accept_not_set_control(probe, family, expect):
    """The check 'accept() finds nothing before data' fails without the option:
    the handshake alone queues the connection."""
    run = probe("--defer-s", 0)
    expect.eq("ack_dropped", run["ack_dropped"], 0, "no ACK is dropped (TCPDeferAcceptDrop)")
    expect.eq("queue_before_data", run["queue_before_data"], 1, "one connection is queued before data")
    expect.eq("accept_returns_connection_any_data", run["accept_before_data"], "ok",
              "accept() returns the connection before any data")
