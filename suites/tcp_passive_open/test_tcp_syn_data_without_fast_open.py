"""RFC 9293 §3.10.7.2: data in a SYN may be queued for delivery after the
handshake; without TCP_FASTOPEN Linux does not keep it (net/ipv4/tcp_input.c
tcp_conn_request(): the request socket's rcv_nxt is the ISN + 1 and the data is
dropped with the SYN's skb), so the peer must send it again."""
import pytest

from sockspec.checks.tcp_unexpected import peer_segments


@pytest.mark.behaviour("tcp_syn_data_without_fast_open")
def test_tcp_syn_data_without_fast_open(probe, family, expect):
    run = probe()
    conn = run.connection()
    expect.eq("syn_carried_data", [s.length for s in peer_segments(conn, "SYN")], [5],
              "the capture shows the peer's SYN carrying its 5 bytes")
    expect.eq("synack_acks_only_syn", run["synack_acks_from_isn"], 1,
              "the SYN+ACK acknowledges the SYN alone (ISN + 1), not the data in it")
    expect.eq("syn_data_not_delivered", run["server_read"], "EAGAIN",
              "after the handshake the accept()ed socket has nothing to read: the SYN's data was dropped")


@pytest.mark.behaviour("tcp_syn_data_without_fast_open")
@pytest.mark.control("the same data follows the handshake's ACK")
def test_tcp_syn_data_without_fast_open_after_ack_control(probe, family, expect):
    run = probe("--data-after-ack")
    expect.eq("data_after_ack_delivered", run["server_read"], "early",
              "the same 5 bytes sent after the handshake are read by the accept()ed socket")
