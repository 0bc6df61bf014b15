"""TCP_USER_TIMEOUT (RFC 5482, tcp(7); tcp_write_timeout in tcp_timer.c)."""
import pytest

from sockspec.targets import Fault

PORT = 40300
PEER_ACKS_LOST = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)  # every pure ACK of the server
MS = 1_000_000


def _data(conn):
    return [s for s in conn.segments if conn.from_client(s) and s.length]


@pytest.mark.behaviour("tcp_user_timeout")
def test_tcp_user_timeout(probe, family, expect):
    run = probe("--port", PORT, "--user-timeout-ms", 500, "--wait-ms", 5000, faults=[PEER_ACKS_LOST])
    expect.eq("connection_aborted_etimedout", run["client_recv"], "ETIMEDOUT",
              "the connection is aborted with ETIMEDOUT")
    conn = run.connection()
    data = _data(conn)
    expect.ge("client_retransmitted_unacknowledged_data_first", len(data), 2,
              "the client retransmitted the unacknowledged data first")
    expect.eq("data_segment_same_re_transmission", len({conn.rel_seq(s) for s in data}), 1,
              "every data segment is the same (re)transmission")
    recv = run.call("recv", "client")
    expect.true("not_user_timeout_passed", recv["end_real_ns"] - data[0].t_ns >= 450 * MS,
                "not before the user timeout has passed")
    expect.true("linux_gives_up_silently_tcp", not any(conn.from_client(s) and s.has("RST") for s in conn.segments),
                "Linux gives up silently: tcp_write_err() closes the socket without sending RST")
    expect.eq("clients_socket_closed_kernel", run["client_tcp_info"]["state"], "CLOSE",
              "the client's socket is closed by the kernel")
    expect.lt("long_tcp_retries2_retransmissions", len(data), run["tcp_retries2"],
              "long before tcp_retries2 retransmissions")


@pytest.mark.behaviour("tcp_user_timeout")
@pytest.mark.control("TCP_USER_TIMEOUT not set")
def test_tcp_user_timeout_control(probe, family, expect):
    """Without the option the same lost ACKs leave the connection retransmitting past the 500 ms."""
    run = probe("--port", PORT, "--user-timeout-ms", 0, "--wait-ms", 1500, faults=[PEER_ACKS_LOST])
    expect.eq("recv_times_out_rcvtimeo_connection", run["client_recv"], "EAGAIN",
              "recv() times out (SO_RCVTIMEO); the connection is not aborted")
    expect.eq("client_tcp_info_state", run["client_tcp_info"]["state"], "ESTABLISHED",
              "the client stays ESTABLISHED")
    expect.ge("data_unacknowledged_being_retransmitted", run["client_tcp_info"]["unacked"], 1,
              "the data is still unacknowledged and being retransmitted")
    conn = run.connection()
    recv = run.call("recv", "client")
    expect.ge("client_kept_retransmitting", len(_data(conn)), 3, "the client kept retransmitting")
    expect.true("no_reset_meanwhile", not any(s.has("RST") and s.t_ns < recv["end_real_ns"] for s in conn.segments),
                "no reset meanwhile")
