import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_accept_after_handshake")
def test_tcp_accept_after_handshake(probe, family, expect):
    run = probe("--clients", 3)
    first_accept = run.call("accept", "server")

    connects = run.calls("connect")
    expect.eq("connects_succeed", [c["ret"] for c in connects], [0, 0, 0], "every blocking connect() succeeds",
              claim="SEED-14")
    expect.true("connects_return_before_accept", all(c["end_real_ns"] < first_accept["t_real_ns"] for c in connects),
                "every connect() returns before the server first calls accept()", claim="SEED-14")
    expect.true("all_queued_before_accept", run["all_queued_before_accept"],
                "all three connections are in the accept queue before accept()", claim="SEED-15")
    expect.eq("queue_shrinks_by_one", run["queue_lengths"], [3, 2, 1, 0],
              "the accept queue shrinks by one per accept()", claim="SEED-15")

    accepted = run["accepted"]
    expect.eq("arrival_order", [a.get("peer") for a in accepted], run["client_addrs"],
              "accept() dequeues in arrival order")
    expect.eq("new_descriptor", [a.get("new_descriptor") for a in accepted], [True] * 3,
              "accept() returns a new descriptor, not the listener", claim="SEED-15")
    expect.eq("data_already_there", [a.get("data") for a in accepted],
              [f"hello from client {i}" for i in (1, 2, 3)],
              "data sent before accept() is readable at once (MSG_DONTWAIT) on the accepted socket", claim="SEED-15")

    for client in run["client_addrs"]:
        conn = run.connection(client, run["server_addr"])
        if not checks.three_way_handshake(conn, expect):
            continue
        expect.lt("handshake_before_accept", max(s.t_ns for s in conn.segments[:3]), first_accept["t_real_ns"],
                  "all three handshake segments are on the wire before accept() is called", claim="SEED-14")
        data = [s for s in conn.segments if s.length > 0 and conn.from_client(s)]
        expect.that("data_before_accept", bool(data) and data[0].t_ns < first_accept["t_real_ns"],
                    "the client's data crossed before accept() was called", claim="SEED-15",
                    seen=bool(data) and data[0].t_ns < first_accept["t_real_ns"], expected="before accept()")


@pytest.mark.behaviour("tcp_accept_after_handshake")
@pytest.mark.control("TCP_DEFER_ACCEPT on the listener, clients send no data")
def test_tcp_accept_after_handshake_defer_accept_control(probe, family, expect):
    """The check 'the handshake alone puts the connection in the accept queue'
    fails when the listener asks to defer: the kernel holds data-less
    connections back even though the client's connect() returned."""
    run = probe("--clients", 2, "--defer-accept-s", 5, "--no-data", "--settle-ms", 300)
    expect.eq("connects_succeed", [c["ret"] for c in run.calls("connect")], [0, 0],
              "every blocking connect() succeeds")
    expect.false("held_back_without_data", run["all_queued_before_accept"],
                 "the connections are held out of the accept queue until data arrives")
    expect.eq("queue_empty", run["queue_lengths"][0], 0, "nothing is in the accept queue")
    expect.eq("accept_eagain", run["accepted"][0]["errno"], "EAGAIN", "a non-blocking accept() finds nothing")
