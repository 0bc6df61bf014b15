"""listen(2) on an unbound socket: Linux binds it first (net/ipv4/af_inet.c
inet_listen() -> inet_autobind()) to the wildcard address and a port from
net.ipv4.ip_local_port_range, as bind() to port 0 would."""
import pytest

from sockspec import checks

WILDCARD = {"inet": "0.0.0.0", "inet6": "::"}


@pytest.mark.behaviour("listen_without_bind")
def test_listen_without_bind(probe, family, expect):
    run = probe()
    expect.true("listen_socket_no_port", bool(run["before_listen"].endswith(":0")),
                "before listen() the socket has no port")
    expect.eq("listen_without_bind_succeeds", run.call("listen")["ret"], 0, "listen() without bind() succeeds")
    low, high = run["port_range"]
    after = run["after_listen"]
    expect.eq("socket_bound_wildcard_address", after["ip"], WILDCARD[family],
              "the socket is bound to the wildcard address")
    expect.true("port_ephemeral", low <= after["port"] <= high, "listen() binds the socket to a port from net.ipv4.ip_local_port_range")
    expect.eq("client_connecting_port_accepted", run["accepted_peer"], run["client_addr"],
              "a client connecting to that port is accepted")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.true("syn_to_that_port", conn.segments[0].dst.port == after["port"], "the client's SYN goes to that port")


@pytest.mark.behaviour("listen_without_bind")
@pytest.mark.control("net.ipv4.ip_local_port_range = 50000 50001 in the namespace")
def test_listen_without_bind_narrow_range_control(probe, family, expect):
    """The automatically chosen port follows the namespace's range: with two
    ports in it, the listener takes one and the client's connect() the other.
    Which one is the stack's choice (Linux prefers the odd one for autobind,
    gVisor picks at random), so the checks ask only for the range."""
    run = probe(sysctls={"net.ipv4.ip_local_port_range": "50000 50001"})
    expect.true("port_range", run["port_range"] == [50000, 50001], "the namespace's ip_local_port_range is the one the test set")
    listener_port = run["after_listen"]["port"]
    expect.is_in("listener_port_in_range", listener_port, [50000, 50001],
                 "the listener's automatically chosen port is in the namespace's range")
    client_port = int(run["client_addr"].rsplit(":", 1)[1])
    expect.eq("client_takes_other_port", sorted([listener_port, client_port]), [50000, 50001],
              "the client's connect() gets the range's other port")
