"""Non-blocking connect() (connect(2)): EINPROGRESS, EALREADY while the
handshake is in progress, POLLOUT and SO_ERROR at its end, then EISCONN; Linux's
answers follow net/ipv4/af_inet.c __inet_stream_connect()."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

DROP_FIRST_SYNACK = Fault("tcp flags & (syn|ack) == syn|ack", 1)


@pytest.mark.behaviour("tcp_nonblocking_connect")
def test_tcp_nonblocking_connect(probe, family):
    run = probe(faults=[DROP_FIRST_SYNACK])
    assert run["connect_1"] == "EINPROGRESS", "a non-blocking connect() returns EINPROGRESS"
    assert run["state_after_connect_1"] == "SYN-SENT", "the SYN+ACK was dropped: the client is still in SYN-SENT"
    assert run["connect_2"] == "EALREADY", "connect() again while the handshake is in progress: EALREADY"
    assert run["poll_ret"] == 1 and run["poll_revents"] == "POLLOUT", "poll() reports POLLOUT when connected"
    assert run["so_error"] == "0", "SO_ERROR is 0: the connection succeeded"
    assert run["state_after_poll"] == "ESTABLISHED"
    assert run["connect_after"] == ["0", "EISCONN"], \
        "Linux answers the first connect() after completion with 0 and later ones with EISCONN"

    conn = run.connection()
    syns = [s for s in conn.segments if conn.from_client(s) and s.flags_exactly("SYN")]
    synacks = [s for s in conn.segments if not conn.from_client(s) and s.has("SYN", "ACK")]
    assert synacks, "a SYN+ACK reaches the client in the end"
    assert synacks[0].t_ns - syns[0].t_ns >= 900_000_000, \
        "the first SYN+ACK in the capture is a retransmission (of the SYN or of the SYN+ACK) after the 1 s RTO"
    connected = run.call("poll", "client")["end_real_ns"]
    assert synacks[0].t_ns <= connected, "poll() returns after the SYN+ACK arrives"
    second = run.call("connect", "client", 1)
    assert second["end_real_ns"] < synacks[0].t_ns, "the EALREADY connect() came while no SYN+ACK had arrived"


@pytest.mark.behaviour("tcp_nonblocking_connect")
def test_tcp_nonblocking_connect_refused(probe, family):
    run = probe("--closed", "--no-second-connect")
    assert run["connect_1"] == "EINPROGRESS", "a non-blocking connect() to a closed port still says EINPROGRESS"
    assert set(run["poll_revents"].split("|")) >= {"POLLOUT", "POLLERR"}, \
        "poll() reports the failure as POLLOUT with POLLERR"
    assert run["so_error"] == "ECONNREFUSED", "SO_ERROR says why: ECONNREFUSED"
    assert run["connect_after"] == ["ECONNABORTED", "EINPROGRESS"], \
        "once SO_ERROR has been read, the next connect() reports ECONNABORTED (no error left) and resets the " \
        "socket, so the one after starts a new attempt"
    assert checks.labels(run.connection()) == ["c>SYN", "s>RST+ACK"]


@pytest.mark.behaviour("tcp_nonblocking_connect")
def test_tcp_nonblocking_connect_refused_second_connect(probe, family):
    """A second connect() after the RST reports the pending error itself and
    clears it: poll() then shows no POLLERR and SO_ERROR is 0."""
    run = probe("--closed")
    assert run["connect_1"] == "EINPROGRESS"
    assert run["connect_2"] == "ECONNREFUSED", "the second connect() reports the refusal"
    assert "POLLERR" not in run["poll_revents"].split("|"), "the error was consumed: no POLLERR"
    assert run["so_error"] == "0"


@pytest.mark.behaviour("tcp_nonblocking_connect")
@pytest.mark.control("no SYN+ACK dropped: on loopback the handshake completes inside connect()")
def test_tcp_nonblocking_connect_loopback_control(probe, family):
    """The check 'a second connect() gives EALREADY' fails when nothing slows
    the handshake: on loopback the SYN+ACK is processed before connect() returns
    EINPROGRESS, so the second call reports the completion (0)."""
    run = probe()
    assert run["connect_1"] == "EINPROGRESS"
    assert run["state_after_connect_1"] == "ESTABLISHED"
    assert run["connect_2"] == "0", "the second connect() reports the completed connection"
    assert run["connect_after"] == ["EISCONN", "EISCONN"]
    checks.three_way_handshake(run.connection())
