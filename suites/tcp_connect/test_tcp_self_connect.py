"""A socket bound to port P connecting to its own address:P connects to itself:
a simultaneous open with one socket (RFC 9293 §3.5;
net/ipv4/tcp_input.c tcp_rcv_synsent_state_process())."""
import pytest


@pytest.mark.behaviour("tcp_self_connect")
def test_tcp_self_connect(probe, family, expect):
    run = probe()
    expect.eq("connect_own_address_port_succeeds", run["connect"], "ok",
              "connect() to its own address and port succeeds, with no listener")
    expect.true("sockets_peer_itself", run["peer"] == run["client_addr"] == run["server_addr"],
                "the socket's peer is itself")
    expect.eq("state", run["state"], "ESTABLISHED", "the socket is ESTABLISHED")
    expect.eq("what_sends_reads_back", run["read_back"], "talking to myself", "what it sends, it reads back")

    me = run["client_addr"]
    segs = [s for s in run.segments() if str(s.src) == me and str(s.dst) == me]
    labels = [s.label for s in segs[:3]]
    expect.eq("own_syn_comes_back_answers", labels, ["SYN", "SYN+ACK", "ACK"],
              "its own SYN comes back, it answers it with SYN+ACK to itself, then ACKs that")
    syn, synack, ack = segs[:3]
    expect.true("syn_ack_repeats_sockets_isn", bool(synack.seq == syn.seq and synack.ack == (syn.seq + 1) % 2**32),
                "the SYN+ACK repeats the socket's one ISN and acknowledges it: both ends are the same socket")
    expect.true("final_ack_numbers", ack.seq == ack.ack == (syn.seq + 1) % 2**32, "the final ACK has sequence and acknowledgement number ISN + 1")
    connect = run.call("connect", "client")
    expect.true("whole_exchange_happens_inside_connect", bool(connect["t_real_ns"] <= syn.t_ns and ack.t_ns <= connect["end_real_ns"]),
                "the whole exchange happens inside connect()")


@pytest.mark.behaviour("tcp_self_connect")
@pytest.mark.control("connect from a second socket bound to another port")
def test_tcp_self_connect_other_socket_control(probe, family, expect):
    """The check 'connect() to P succeeds with no listener' fails when the
    connecting socket is not the one bound to P: nobody listens, RST."""
    run = probe("--other-socket")
    expect.eq("connect", run["connect"], "ECONNREFUSED", "connect() fails with ECONNREFUSED")
    expect.ne("addresses_differ", run["client_addr"], run["server_addr"], "the client's address is not the server's")
    conn = run.connection()
    expect.eq("s_label_s_conn_segments", [s.label for s in conn.segments], ["SYN", "RST+ACK"],
              "the SYN draws RST+ACK")
