"""TCP_USER_TIMEOUT (RFC 5482, tcp(7); tcp_write_timeout in tcp_timer.c)."""
import pytest

from sockspec.targets import Fault

PORT = 40300
PEER_ACKS_LOST = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)  # every pure ACK of the server
MS = 1_000_000


def _data(conn):
    return [s for s in conn.segments if conn.from_client(s) and s.length]


@pytest.mark.behaviour("tcp_user_timeout")
def test_tcp_user_timeout(probe, family):
    run = probe("--port", PORT, "--user-timeout-ms", 500, "--wait-ms", 5000, faults=[PEER_ACKS_LOST])
    assert run["client_recv"] == "ETIMEDOUT", "the connection is aborted with ETIMEDOUT"
    conn = run.connection()
    data = _data(conn)
    assert len(data) >= 2, "the client retransmitted the unacknowledged data first"
    assert len({conn.rel_seq(s) for s in data}) == 1, "every data segment is the same (re)transmission"
    recv = run.call("recv", "client")
    assert recv["end_real_ns"] - data[0].t_ns >= 450 * MS, "not before the user timeout has passed"
    assert not any(conn.from_client(s) and s.has("RST") for s in conn.segments), \
        "Linux gives up silently: tcp_write_err() closes the socket without sending RST"
    assert run["client_tcp_info"]["state"] == "CLOSE", "the client's socket is closed by the kernel"
    assert len(data) < run["tcp_retries2"], "long before tcp_retries2 retransmissions"


@pytest.mark.behaviour("tcp_user_timeout")
@pytest.mark.control("TCP_USER_TIMEOUT not set")
def test_tcp_user_timeout_control(probe, family):
    """Without the option the same lost ACKs leave the connection retransmitting past the 500 ms."""
    run = probe("--port", PORT, "--user-timeout-ms", 0, "--wait-ms", 1500, faults=[PEER_ACKS_LOST])
    assert run["client_recv"] == "EAGAIN", "recv() times out (SO_RCVTIMEO); the connection is not aborted"
    assert run["client_tcp_info"]["state"] == "ESTABLISHED"
    assert run["client_tcp_info"]["unacked"] >= 1, "the data is still unacknowledged and being retransmitted"
    conn = run.connection()
    recv = run.call("recv", "client")
    assert len(_data(conn)) >= 3, "the client kept retransmitting"
    assert not any(s.has("RST") and s.t_ns < recv["end_real_ns"] for s in conn.segments), "no reset meanwhile"
