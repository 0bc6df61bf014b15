"""bind() to port 0 picks a free port from net.ipv4.ip_local_port_range (ip(7);
net/ipv4/inet_connection_sock.c inet_csk_find_open_port(), which gives bind()
odd ports and leaves even ones to connect())."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("bind_port_zero_ephemeral")
def test_bind_port_zero_ephemeral(probe, family, expect):
    run = probe("--sockets", 4)
    low, high = run["port_range"]
    expect.eq("fresh_namespace_default_range", (low, high), (32768, 60999), "a fresh namespace has the default range")
    ports = [b["port"] for b in run["binds"]]
    expect.true("bind_ok_b_binds", bool(all(b["bind"] == "ok" for b in run["binds"])),
                "every bind() to port 0 succeeds")
    expect.true("port_inside", bool(all(low <= p <= high for p in ports)), "every port bind() picked is inside net.ipv4.ip_local_port_range")
    expect.true("socket_gets_own_port", len(set(ports)) == len(ports), "each socket gets its own port")
    expect.true("bind_takes_odd_ports_while", bool(all(p % 2 == 1 for p in ports)),
                "bind() takes odd ports while there are free ones")
    expect.true("connect_takes_even", bool(run["client_connect"] == "ok" and run["client_port"] % 2 == 0),
                "connect() takes an even one")

    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.true("client_reaches_ephemeral_port_wire", conn.segments[0].dst.port == ports[0],
                "the client reaches the ephemeral port on the wire")


@pytest.mark.behaviour("bind_port_zero_ephemeral")
@pytest.mark.control("net.ipv4.ip_local_port_range = 40000 40009 in the namespace")
def test_bind_port_zero_ephemeral_narrow_range_control(probe, family, expect):
    """With a range of ten ports the chosen ports follow the sysctl, and the
    eleventh bind() (then the client's connect()) runs out of ports."""
    run = probe("--sockets", 11, sysctls={"net.ipv4.ip_local_port_range": "40000 40009"})
    expect.true("port_range", run["port_range"] == [40000, 40009], "the namespace's ip_local_port_range is the one the test set")
    binds = run["binds"]
    expect.true("ten_ports_range", sorted(b["port"] for b in binds[:10]) == list(range(40000, 40010)),
                "the ten ports of the range, each once")
    expect.eq("eleventh_bind_finds_no_free", binds[10]["bind"], "EADDRINUSE",
              "the eleventh bind() finds no free port")
    expect.eq("connect_finds_no_free_port", run["client_connect"], "EADDRNOTAVAIL",
              "connect() finds no free port either")
    expect.eq("no_syn_sent", run.segments(), [], "no SYN was sent")
