"""unix(7), socket(2): SOCK_SEQPACKET is a connection that keeps record boundaries."""
import pytest

from sockspec import checks_unix


@pytest.mark.behaviour("unix_seqpacket_boundaries")
def test_unix_seqpacket_boundaries(probe, family, claims):
    run = probe("--type", "seqpacket")
    assert run["read_lengths"] == run["sent_lengths"] == [3, 11, 17], \
        "each read on a SOCK_SEQPACKET connection returns exactly one message, though all three were queued"
    assert run["short_read_returned"] == 8 and run["short_read_flags"] == "MSG_TRUNC", \
        "a short buffer truncates the message and sets MSG_TRUNC"
    assert run["after_short_read"] == "EAGAIN", "the truncated message's rest is discarded"
    assert run["read_after_peer_close"] == 0, "after the peer closes, a read returns 0 (end of connection)"
    assert all(c["ret"] == 0 for c in run.calls("connect")) and run.call("accept", "server")["ret"] >= 0, \
        "SOCK_SEQPACKET is connection-oriented: connect() and accept() like a stream"
    checks_unix.nothing_on_the_wire(run)
    claims.verdict("SEED-8", "holds", "AF_UNIX SOCK_SEQPACKET is connection-oriented and keeps each message "
                                      "whole: three sends gave three reads; a short buffer truncated (MSG_TRUNC)")


@pytest.mark.behaviour("unix_seqpacket_boundaries")
@pytest.mark.control("SOCK_STREAM instead of SOCK_SEQPACKET")
def test_unix_seqpacket_boundaries_stream_control(probe, family):
    run = probe("--type", "stream")
    assert run["read_lengths"] == [sum(run["sent_lengths"])], \
        "a SOCK_STREAM read returns all the queued bytes at once: no boundaries"
    assert run["short_read_flags"] == "0" and run["after_short_read"] == 22, \
        "a short read on a stream leaves the rest for the next read"
    checks_unix.nothing_on_the_wire(run)
