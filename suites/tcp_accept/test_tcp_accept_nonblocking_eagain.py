"""accept() on a non-blocking listener with nothing queued fails with EAGAIN;
poll() POLLIN on a listener means a completed connection is waiting
(accept(2), poll(2))."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_accept_nonblocking_eagain")
def test_tcp_accept_nonblocking_eagain(probe, family):
    run = probe()
    assert run["accept_empty"] == "EAGAIN", "empty queue: accept() fails at once with EAGAIN"
    assert run["poll_empty"] == 0, "poll(POLLIN) reports nothing"
    assert run["poll_ready"] == 1 and run["poll_ready_revents"] == "POLLIN", "a queued connection is POLLIN"
    assert run["accept_ready"] == "0" and run["accept_peer"] == run["client_addr"]
    assert run["accept_again"] == "EAGAIN", "and the queue is empty again"

    conn = run.connection()
    checks.three_way_handshake(conn)
    accepts = run.calls("accept", "server")
    assert accepts[0]["end_real_ns"] < conn.segments[0].t_ns, "the EAGAIN came before any SYN"
    assert conn.segments[2].t_ns < run.call("poll", "server", 1)["end_real_ns"], \
        "POLLIN came once the handshake had completed"


@pytest.mark.behaviour("tcp_accept_nonblocking_eagain")
def test_tcp_accept_nonblocking_eagain_rcvtimeo(probe, family):
    """A blocking listener with SO_RCVTIMEO: accept() waits for the timeout, then EAGAIN."""
    run = probe("--rcvtimeo-ms", 200)
    assert run["accept_empty"] == "EAGAIN"
    first = run.call("accept", "server")
    assert first["end_real_ns"] - first["t_real_ns"] >= 190_000_000, "accept() waited SO_RCVTIMEO before failing"
    assert run["accept_ready"] == "0"
