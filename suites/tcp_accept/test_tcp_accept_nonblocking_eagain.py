"""accept() on a non-blocking listener with nothing queued fails with EAGAIN;
poll() POLLIN on a listener means a completed connection is waiting
(accept(2), poll(2))."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_accept_nonblocking_eagain")
def test_tcp_accept_nonblocking_eagain(probe, family, expect):
    run = probe()
    expect.eq("empty_queue_accept_fails_eagain", run["accept_empty"], "EAGAIN",
              "empty queue: accept() fails at once with EAGAIN")
    expect.eq("poll_pollin_reports_nothing", run["poll_empty"], 0, "poll(POLLIN) reports nothing")
    expect.true("queued_connection_pollin", bool(run["poll_ready"] == 1 and run["poll_ready_revents"] == "POLLIN"),
                "a queued connection is POLLIN")
    expect.true("accept_ready_0_accept_peer", bool(run["accept_ready"] == "ok" and run["accept_peer"] == run["client_addr"]),
                "with a connection queued, accept() returns it")
    expect.eq("queue_empty_again", run["accept_again"], "EAGAIN", "and the queue is empty again")

    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    accepts = run.calls("accept", "server")
    expect.true("eagain_came_any_syn", accepts[0]["end_real_ns"] < conn.segments[0].t_ns,
                "the EAGAIN came before any SYN")
    expect.true("pollin_came_handshake_had_completed", conn.segments[2].t_ns < run.call("poll", "server", 1)["end_real_ns"],
                "POLLIN came once the handshake had completed")


@pytest.mark.behaviour("tcp_accept_nonblocking_eagain")
def test_tcp_accept_nonblocking_eagain_rcvtimeo(probe, family, expect):
    """A blocking listener with SO_RCVTIMEO: accept() waits for the timeout, then EAGAIN."""
    run = probe("--rcvtimeo-ms", 200)
    expect.eq("accept_empty", run["accept_empty"], "EAGAIN", "accept() on an empty queue fails with EAGAIN")
    if "accept_ready" not in run.observations:
        return  # the probe stopped: accept() outlived SO_RCVTIMEO, as the check above says
    first = run.call("accept", "server")
    expect.true("accept_waited_rcvtimeo_failing", first["end_real_ns"] - first["t_real_ns"] >= 190_000_000,
                "accept() waited SO_RCVTIMEO before failing")
    expect.eq("accept_ready", run["accept_ready"], "ok", "with a connection queued, accept() succeeds")
