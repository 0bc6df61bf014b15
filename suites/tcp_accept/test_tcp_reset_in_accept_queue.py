"""A connection reset while it waits in the accept queue: Linux's accept()
still returns it (accept(2) allows ECONNABORTED; Linux does not use it here,
net/ipv4/inet_connection_sock.c inet_csk_accept()), and the first read
reports the reset (net/ipv4/tcp_input.c tcp_reset())."""
import pytest


@pytest.mark.behaviour("tcp_reset_in_accept_queue")
def test_tcp_reset_in_accept_queue(probe, family, expect):
    run = probe()
    expect.eq("reset_socket_left_kernels_tables", run["server_end_before_accept"], "none",
              "the reset socket has left the kernel's tables")
    expect.eq("but_accept_queue", run["queue_before_accept"], 1, "but it is still in the accept queue")
    expect.eq("accept_returns_no_econnaborted_linux", run["accept"], "ok",
              "accept() returns it (no ECONNABORTED on Linux)")
    expect.eq("clients_address", run["accept_peer"], run["client_addr"], "with the client's address")
    expect.eq("socket_no_longer_connected", run["getpeername"], "ENOTCONN", "the socket is no longer connected")
    expect.eq("first_read_reports_reset_next", run["reads"], ["ECONNRESET", "0"],
              "the first read reports the reset, the next one EOF", claim="SEED-15")
    expect.eq("queue_after_accept", run["queue_after_accept"], 0, "accept() takes the reset connection off the queue: it is empty after", claim="SEED-15")

    conn = run.connection()
    labels = [("c>" if conn.from_client(s) else "s>") + s.label for s in conn.segments]
    expect.eq("client_resets_no_fin", labels, ["c>SYN", "s>SYN+ACK", "c>ACK", "c>RST+ACK"],
              "the client resets; no FIN")
    expect.true("rst_came_accept", conn.segments[3].t_ns < run.call("accept", "server")["t_real_ns"],
                "the RST came before accept()")


@pytest.mark.behaviour("tcp_reset_in_accept_queue")
@pytest.mark.control("the client closes normally (FIN)")
def test_tcp_reset_in_accept_queue_graceful_control(probe, family, expect):
    """The check 'the first read gives ECONNRESET' fails when the client closes
    with FIN: the queued socket is in CLOSE-WAIT and reads EOF."""
    run = probe("--graceful")
    expect.eq("server_end_before_accept", run["server_end_before_accept"], "CLOSE-WAIT",
              "the queued connection is in CLOSE-WAIT before accept()")
    expect.eq("accept", run["accept"], "ok", "accept() succeeds")
    expect.eq("getpeername", run["getpeername"], run["client_addr"], "getpeername() names the client")
    expect.eq("reads", run["reads"], ["0", "0"], "both reads return 0 (EOF)")
    conn = run.connection()
    expect.true("no_rst", not [s for s in conn.segments if s.has("RST")],
                "no RST crosses")
