"""unix(7), socket(2): SOCK_SEQPACKET is a connection that keeps record boundaries."""
import pytest

from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_seqpacket_boundaries")
def test_unix_seqpacket_boundaries(probe, family, expect):
    run = probe("--type", "seqpacket")
    expect.true("read_sock_seqpacket_connection_returns", run["read_lengths"] == run["sent_lengths"] == [3, 11, 17],
                "each read on a SOCK_SEQPACKET connection returns exactly one message, though all three were queued", claim="SEED-8")
    expect.true("short_buffer_truncates_message_sets", bool(run["short_read_returned"] == 8 and run["short_read_flags"] == "MSG_TRUNC"),
                "a short buffer truncates the message and sets MSG_TRUNC")
    expect.eq("truncated_messages_rest_discarded", run["after_short_read"], "EAGAIN",
              "the truncated message's rest is discarded")
    expect.eq("peer_closes_read_returns_0", run["read_after_peer_close"], 0,
              "after the peer closes, a read returns 0 (end of connection)")
    expect.true("sock_seqpacket_connection_oriented_connect", bool(all(c["ret"] == 0 for c in run.calls("connect")) and run.call("accept", "server")["ret"] >= 0),
                "SOCK_SEQPACKET is connection-oriented: connect() and accept() like a stream", claim="SEED-8")
    checks_unix.nothing_on_the_wire(run, expect)


@pytest.mark.behaviour("unix_seqpacket_boundaries")
@pytest.mark.control("SOCK_STREAM instead of SOCK_SEQPACKET")
def test_unix_seqpacket_boundaries_stream_control(probe, family, expect):
    run = probe("--type", "stream")
    expect.eq("sock_stream_read_returns_queued", run["read_lengths"], [sum(run["sent_lengths"])],
              "a SOCK_STREAM read returns all the queued bytes at once: no boundaries")
    expect.true("short_read_stream_leaves_rest", bool(run["short_read_flags"] == "0" and run["after_short_read"] == 22),
                "a short read on a stream leaves the rest for the next read")
    checks_unix.nothing_on_the_wire(run, expect)
