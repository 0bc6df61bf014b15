"""A non-blocking send() into a full send buffer: EAGAIN (send(2)), POLLOUT back after the peer reads (poll(2))."""
import pytest


def _client_payload(conn, before_ns=None):
    """Bytes of the stream the client had put on the wire (a retransmission counts once)."""
    return max([conn.rel_seq(s) + s.length - 1 for s in conn.segments
                if conn.from_client(s) and s.length and (before_ns is None or s.t_ns < before_ns)], default=0)


@pytest.mark.behaviour("tcp_nonblocking_send_eagain")
def test_tcp_nonblocking_send_eagain(probe, family, expect):
    run = probe()
    expect.eq("send_full_non_blocking_socket", run["send_error"], "EAGAIN",
              "send() on a full non-blocking socket fails with EAGAIN")
    expect.true("send_eagain_partial_write", 0 < run["last_successful_send"] < run["chunk"],
                "the send() before EAGAIN was a partial write")
    expect.eq("poll_reports_no_pollout_while", run["pollout_when_full"], "0",
              "poll() reports no POLLOUT while the send buffer is full")
    expect.gt("unsent_unacknowledged_bytes_wait_send", run["client_outq_when_full"], 0,
              "unsent or unacknowledged bytes wait in the send buffer")
    expect.is_in("pollout_returns_peer_read", "POLLOUT", run["pollout_after_read"],
                 "POLLOUT returns once the peer has read")
    expect.eq("byte_send_accepted_reaches_peer", run["server_read"], run["accepted"],
              "every byte send() accepted reaches the peer")

    eagain = [c for c in run.calls("send", "client") if c["errno_name"] == "EAGAIN"]
    # Each fill ends at its EAGAIN with a poll() that waits up to 1 s for room: Linux
    # needs one fill; gVisor, which frees room late, as many as the machine's load makes.
    fills = [c for c in run.calls("poll", "client") if c["text"].endswith(", 1000)")]
    expect.eq("one_eagain_per_fill", len(eagain), len(fills),
              "send() fails with EAGAIN once per fill: after it, send() is called again only when poll() saw room")
    first_read = run.call("recv", "server")
    poll_wait = run.calls("poll", "client")[-1]
    expect.true("poll_pollout_returned_only_peer", poll_wait["end_real_ns"] > first_read["t_real_ns"],
                "poll(POLLOUT) returned only after the peer began reading")

    conn = run.connection()
    expect.true("eagain_part_what_send_accepted", _client_payload(conn, eagain[0]["t_real_ns"]) < run["accepted"],
                "at the EAGAIN, part of what send() accepted had not yet crossed the wire (the send buffer held it)")
    expect.eq("crossed_peer_read", _client_payload(conn), run["accepted"], "all of it crossed once the peer read")


@pytest.mark.behaviour("tcp_nonblocking_send_eagain")
@pytest.mark.control("a blocking socket (no O_NONBLOCK)")
def test_tcp_nonblocking_send_eagain_blocking_control(probe, family, expect):
    """A blocking send() of the same full buffer waits for the reader instead of failing."""
    run = probe("--blocking")
    expect.eq("blocking_send_returns_whole_length", run["blocking_send"], str(run["total"]),
              "a blocking send() returns the whole length, no EAGAIN")
    send = run.call("send", "client")
    first_read = run.call("recv", "server")
    expect.true("blocking_send_returned_only_peer", send["end_real_ns"] > first_read["t_real_ns"],
                "the blocking send() returned only after the peer read")
    conn = run.connection()
    expect.true("peer_advertised_zero_window_while", bool(any(not conn.from_client(s) and s.win == 0 for s in conn.segments)),
                "the peer advertised a zero window while the sender was blocked")
