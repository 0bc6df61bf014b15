"""Closing a listener aborts the connections in its accept queue (net/ipv4/
inet_connection_sock.c inet_csk_listen_stop(); net/ipv4/tcp.c tcp_disconnect()
resets an established child; RFC 9293 §3.10.4 ABORT)."""
import pytest


def resets_to(run, client):
    conn = run.connection(client=client)
    return [s for s in conn.segments if not conn.from_client(s) and s.has("RST")]


@pytest.mark.behaviour("tcp_close_listener_resets_queued")
def test_tcp_close_listener_resets_queued(probe, family, expect):
    run = probe()
    expect.eq("both_connections_queued", run["queued_before_close"], 2,
              "both completed connections wait in the accept queue before the close")
    expect.eq("queued_clients_read_reset", run["client_reads"], ["ECONNRESET", "ECONNRESET"],
              "each queued client's recv() fails with ECONNRESET once the listener is closed")
    expect.eq("each_queued_client_gets_rst", [len(resets_to(run, c)) for c in run["client_addrs"]], [1, 1],
              "the server sends one RST to each queued client")


@pytest.mark.behaviour("tcp_close_listener_resets_queued")
@pytest.mark.control("accept() both connections before closing the listener")
def test_tcp_close_listener_resets_queued_accepted_control(probe, family, expect):
    """Accepted connections are no longer the listener's: closing it resets nothing."""
    run = probe("--accept")
    expect.eq("accepted_clients_unaffected", run["client_reads"], ["EAGAIN", "EAGAIN"],
              "a client whose connection was accepted finds nothing to read (no reset) after the listener closes")
    expect.eq("no_rst_accepted_clients", [len(resets_to(run, c)) for c in run["client_addrs"]], [0, 0],
              "no RST reaches an accepted client")
