"""SEED-14, SEED-15: accept() takes no part in the handshake; it dequeues one
completed connection at a time, with the data the client already sent."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_accept_after_handshake")
def test_tcp_accept_after_handshake(probe, family, claims):
    run = probe("--clients", 3)
    first_accept = run.call("accept", "server")

    connects = run.calls("connect")
    assert len(connects) == 3 and all(c["ret"] == 0 for c in connects), "every blocking connect() succeeds"
    assert all(c["end_real_ns"] < first_accept["t_real_ns"] for c in connects), \
        "every connect() returns before the server first calls accept()"
    assert run["all_queued_before_accept"] is True
    assert run["queue_lengths"] == [3, 2, 1, 0], "the accept queue shrinks by one per accept()"

    accepted = run["accepted"]
    assert [a["peer"] for a in accepted] == run["client_addrs"], "accept() dequeues in arrival order"
    assert all(a["new_descriptor"] for a in accepted), "accept() returns a new descriptor, not the listener"
    assert [a["data"] for a in accepted] == [f"hello from client {i}" for i in (1, 2, 3)], \
        "data sent before accept() is readable at once (MSG_DONTWAIT) on the accepted socket"

    for client in run["client_addrs"]:
        conn = run.connection(client, run["server_addr"])
        checks.three_way_handshake(conn)
        data = next(s for s in conn.segments if s.length > 0 and conn.from_client(s))
        assert max(s.t_ns for s in conn.segments[:3]) < first_accept["t_real_ns"], \
            f"{client}: all three handshake segments are on the wire before accept() is called"
        assert data.t_ns < first_accept["t_real_ns"], f"{client}: its data crossed before accept() was called"
    claims.verdict("SEED-14", "holds", "connect() returned and SYN, SYN+ACK, ACK were all on the wire "
                                       "before the first accept() call")
    claims.verdict("SEED-15", "holds", f"accept queue lengths {run['queue_lengths']}; the data each client sent "
                                       "before accept() was readable at once")


@pytest.mark.behaviour("tcp_accept_after_handshake")
@pytest.mark.control("TCP_DEFER_ACCEPT on the listener, clients send no data")
def test_tcp_accept_after_handshake_defer_accept_control(probe, family):
    """The check 'the handshake alone puts the connection in the accept queue'
    fails when the listener asks to defer: the kernel holds data-less
    connections back even though the client's connect() returned."""
    run = probe("--clients", 2, "--defer-accept-s", 5, "--no-data", "--settle-ms", 300)
    assert all(c["ret"] == 0 for c in run.calls("connect")), "connect() still succeeds on the client side"
    assert run["all_queued_before_accept"] is False
    assert run["queue_lengths"][0] == 0, "nothing is in the accept queue"
    assert run["accepted"][0]["errno"] == "EAGAIN", "a non-blocking accept() finds nothing"
