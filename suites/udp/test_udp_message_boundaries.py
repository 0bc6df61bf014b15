"""udp(7), recv(2): one recv() is one datagram; a short buffer truncates it (MSG_TRUNC)."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("udp_message_boundaries")
def test_udp_message_boundaries(probe, family, expect):
    run = probe("--short-buffer", 8)
    sent = run["sent_lengths"]
    expect.true("three_datagrams_were_delivered_first", run["all_queued_before_reading"],
                "all three datagrams were delivered before the first read")
    returned = run["recv_returned"]
    expect.eq("recv_large_buffer_returns_exactly", returned[0], sent[0],
              "a recv() with a large buffer returns exactly one datagram, although three are queued", claim="SEED-8")
    expect.true("buffer_shorter_datagram_gets_first", bool(returned[1] == 8 and run["recv_msg_flags"][1] == "MSG_TRUNC"),
                "a buffer shorter than the datagram gets its first bytes and MSG_TRUNC in msg_flags")
    expect.true("msg_trunc_call_recvmsg_returns", bool(returned[2] == sent[2] and len(run["recv_data"][2]) == 8 and run["recv_msg_flags"][2] == "MSG_TRUNC"),
                "with MSG_TRUNC in the call, recvmsg() returns the datagram's real length, copying only the buffer's size")
    expect.true("truncated_datagrams_tail_discarded_next", bool(run["recv_data"][1] == "b" * 8 and run["recv_data"][2] == "c" * 8),
                "a truncated datagram's tail is discarded: the next read starts the next datagram", claim="SEED-8")
    expect.eq("truncated_tails_not_left_queue", run["recv_after_all"], "EAGAIN",
              "the truncated tails are not left in the queue")
    expect.eq("recvmsg_names_sender", run["recv_from"], [run["client_addr"]] * 2, "recvmsg() names the sender")

    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.eq("send_datagram_wire_sent_length", [d.length for d in wire], sent,
              "each send() is one datagram on the wire, of the sent length")
    expect.true("data_crosses_whole", bool(wire[0].payload == b"first datagram" and wire[1].payload == b"b" * 100),
                "the data crosses whole")
    recv_call = run.call("recv", "server")
    expect.true("datagrams_crossed_first_read", bool(all(d.t_ns < recv_call["t_real_ns"] for d in wire)),
                "all datagrams crossed before the first read")
