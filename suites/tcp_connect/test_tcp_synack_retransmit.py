"""The handshake's final ACK is lost: the client is already connected, the
server retransmits its SYN+ACK after the initial RTO of 1 s (RFC 9293 §3.8.1,
RFC 6298 §2.1; net/ipv4/inet_connection_sock.c reqsk_timer_handler())."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

DROP_FINAL_ACK = Fault("tcp flags == ack", 1)  # the first pure ACK: the client's last handshake segment


@pytest.mark.behaviour("tcp_synack_retransmit")
def test_tcp_synack_retransmit(probe, family, expect):
    run = probe(faults=[DROP_FINAL_ACK])
    expect.eq("clients_connect_succeeds_got_syn", run["connect"], "ok",
              "the client's connect() succeeds: it got the SYN+ACK")
    expect.eq("client_state", run["client_state"], "ESTABLISHED", "the client is ESTABLISHED")
    expect.eq("server_nothing_accept_queue_ack", run["queue_after_connect"], 0,
              "the server has nothing in the accept queue: the ACK never arrived", claim="SEED-13")
    expect.eq("server_keeps_request_socket_syn", run["request_sockets_after_connect"], 1,
              "the server keeps a request socket (SYN-RECV in sock_diag)", claim="SEED-13")
    expect.true("connection_reaches_accept_queue_end", run["queued"],
                "the connection reaches the accept queue in the end")
    expect.eq("server_state", run["server_state"], "ESTABLISHED", "the server's connection is ESTABLISHED")

    conn = run.connection()
    expect.eq("lost_ack_absent_server_sends", checks.labels(conn)[:4], ["c>SYN", "s>SYN+ACK", "s>SYN+ACK", "c>ACK"],
              "the lost ACK is absent; the server sends SYN+ACK again and the client ACKs it")
    first, again = conn.segments[1], conn.segments[2]
    expect.true("same_syn_ack_retransmitted", bool(again.seq == first.seq and again.ack == first.ack),
                "the same SYN+ACK, retransmitted")
    expect.true("retransmitted_initial_rto_1_s", 900_000_000 <= again.t_ns - first.t_ns < 1_600_000_000,
                "retransmitted after the initial RTO of 1 s")
    expect.true("connect_returned_retransmission_about_second", run.call("connect", "client")["end_real_ns"] < again.t_ns,
                "connect() returned before the retransmission, about a second before the server had the connection")
    expect.true("accept_after_final_ack", run.call("accept", "server")["t_real_ns"] > conn.segments[3].t_ns,
                "accept() returns only after the final ACK crossed")


@pytest.mark.behaviour("tcp_synack_retransmit")
@pytest.mark.control("no ACK dropped")
def test_tcp_synack_retransmit_no_loss_control(probe, family, expect):
    """The check 'the SYN+ACK is retransmitted' fails when the ACK arrives: one
    SYN+ACK only, and the connection is queued as soon as connect() returns."""
    run = probe()
    expect.eq("queue_after_connect", run["queue_after_connect"], 1, "one connection is in the accept queue")
    expect.eq("request_sockets_after_connect", run["request_sockets_after_connect"], 0,
              "no request socket waits")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.eq("single_syn_ack", len([s for s in conn.segments if s.has("SYN", "ACK")]), 1, "a single SYN+ACK")
