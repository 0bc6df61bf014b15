"""bind() with a hand-filled sockaddr_in (AF_INET, htons(port),
inet_addr(ip)) binds that address and port (ip(7), ipv6(7)). sin_port is in
network byte order: a port stored without htons() binds the byte-swapped port."""
import pytest

from sockspec import checks

LOOPBACK = {"inet": "127.0.0.1", "inet6": "::1"}
PORT = 8080
SWAPPED = ((PORT & 0xFF) << 8) | (PORT >> 8)  # 36895 on a little-endian machine


@pytest.mark.behaviour("bind_sockaddr_in")
def test_bind_sockaddr_in(probe, family, expect):
    run = probe("--port", PORT)
    bound = run["bound"]
    expect.eq("getsockname_shows_address_htons_port", bound["htons"], {"bind": "ok", "ip": LOOPBACK[family], "port": PORT},
              "getsockname() shows the address and the htons() port", claim="SEED-10")
    expect.eq("port_stored_without_htons_binds", bound["swapped"], {"bind": "ok", "ip": LOOPBACK[family], "port": SWAPPED},
              "a port stored without htons() binds the byte-swapped port")
    expect.eq("ret_c_run_calls_bind", [c["ret"] for c in run.calls("bind")], [0, 0],
              "both bind() calls succeed")
    expect.true("client_reaches_socket_port", run["connect_to_port"] == "ok", "a client reaches the socket on port", claim="SEED-10")

    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.true("syn_goes_port", conn.segments[0].dst.port == PORT, "the SYN goes to port")


@pytest.mark.behaviour("bind_sockaddr_in")
@pytest.mark.control("the server listens on the socket bound without htons()")
def test_bind_sockaddr_in_no_htons_control(probe, family, expect):
    """'a client reaches port 8080' fails when the listener is the socket whose
    port was stored without htons(): it listens on 36895, and 8080 answers RST."""
    run = probe("--port", PORT, "--listen-on", "swapped")
    expect.true("nobody_listens_intended_port", run["connect_to_port"] == "ECONNREFUSED",
                "nobody listens on the intended port")
    conn = run.connection()
    expect.eq("syn_port_8080_answered_rst", checks.labels(conn), ["c>SYN", "s>RST+ACK"],
              "the SYN to port 8080 is answered with RST")
