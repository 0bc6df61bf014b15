"""recv(2) flags on TCP: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT (tcp_recvmsg_locked in net/ipv4/tcp.c)."""
import pytest

from sockspec.checks.tcp_data import new_data_segments


@pytest.mark.behaviour("tcp_recv_flags")
def test_tcp_recv_flags(probe, family, expect):
    run = probe()
    expect.eq("recv_msg_dontwait_empty_socket", run["dontwait_empty"], "EAGAIN",
              "recv(MSG_DONTWAIT) on an empty socket fails with EAGAIN, not blocking")
    expect.true("msg_peek_returns_data_next", run["peeked"] == run["read_after_peek"] == "peek at me\n",
                "MSG_PEEK returns the data, the next recv() the same")
    expect.eq("msg_peek_leaves_bytes_receive", run["queued_after_peek"], len(run["peeked"]),
              "MSG_PEEK leaves the bytes in the receive queue")
    expect.eq("plain_recv_consumes_them", run["queued_after_read"], 0, "the plain recv() consumes them")

    total = run["part_a"] + run["part_b"]
    expect.true("blocked_recv_took_first_part", run["first_part_taken_before_second_send"],
                "the blocked recv() took the first part off the queue")
    expect.eq("recv_msg_waitall_returns_only", run["waitall_ret"], str(total),
              "recv(MSG_WAITALL) returns only when the full length has arrived")
    waitall = next(c for c in run.calls("recv", "server") if "MSG_WAITALL" in c["text"])
    sends = run.calls("send", "client")
    second = sends[-1]
    expect.true("msg_waitalls_recv_returned_second", waitall["end_real_ns"] > second["t_real_ns"],
                "MSG_WAITALL's recv() returned after the second send began")

    conn = run.connection()
    data = new_data_segments(conn)
    expect.eq("two_parts_crossed_wire_two", [s.length for s in data], [len("peek at me\n"), run["part_a"], run["part_b"]],
              "the two parts crossed the wire as two segments")
    expect.true("recv_msg_waitall_returned_second", waitall["end_real_ns"] > data[-1].t_ns,
                "recv(MSG_WAITALL) returned after the second segment arrived")


@pytest.mark.behaviour("tcp_recv_flags")
@pytest.mark.control("recv() without MSG_WAITALL")
def test_tcp_recv_flags_waitall_control(probe, family, expect):
    """Without MSG_WAITALL the same recv() returns the first part alone."""
    run = probe("--no-waitall")
    expect.eq("plain_recv_returns_what_arrived", run["waitall_ret"], str(run["part_a"]),
              "a plain recv() returns what has arrived: the first part")
