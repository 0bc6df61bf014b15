"""ipv6(7), RFC 4291 §2.5.5.2, RFC 3493 §5.3: dual stack through IPv4-mapped addresses, and IPV6_V6ONLY."""
import pytest

from sockspec import checks


def _ipv4_refused(run):
    conn = run.connection()
    assert all(s.src.ip == "127.0.0.1" for s in conn.segments), "the IPv4 client speaks IPv4 on the wire"
    assert checks.labels(conn)[:2] == ["c>SYN", "s>RST+ACK"], \
        f"the IPv4 SYN finds no socket and is answered with RST: {checks.labels(conn)}"


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped(probe, family):
    run = probe("--v6only", "default")
    assert run["bindv6only"] == "0" and run["v6only"] == 0, "IPV6_V6ONLY is off by default (bindv6only=0)"
    assert run["ipv4_connect"] == "connected", "an IPv4 client connects to the AF_INET6 listener bound to ::"
    client_port = run["client_addr"].rpartition(":")[2]
    assert run["ipv4_accepted_peer"] == f"[::ffff:127.0.0.1]:{client_port}", \
        "accept() gives the IPv4 client's address as the IPv4-mapped IPv6 address ::ffff:127.0.0.1"
    assert run["ipv4_accepted_peer_family"] == "AF_INET6"
    assert run["ipv4_accepted_local"].startswith("[::ffff:127.0.0.1]:"), "the local address is v4-mapped too"
    assert run["ipv4_data"] == "hello over IPv4"
    assert run["ipv6_connect"] == "connected" and run["ipv6_accepted_peer_ip"] == "::1"

    assert run["v6only_change_after_bind"] == "EINVAL", "IPV6_V6ONLY cannot be changed once the socket is bound"
    conn = run.connection()
    checks.three_way_handshake(conn)
    assert all(s.src.ip == "127.0.0.1" and s.dst.ip == "127.0.0.1" for s in conn.segments), \
        "on the wire the connection is plain IPv4: the mapping exists only at the socket API"

    assert run["mapped_client_connect"] == "connected", "an AF_INET6 socket connects to [::ffff:127.0.0.1]"
    assert run["mapped_client_local"].startswith("[::ffff:127.0.0.1]:")
    mapped_port = run["mapped_client_local"].rpartition(":")[2]
    mapped = run.connection(f"127.0.0.1:{mapped_port}", run["server_addr"])
    checks.three_way_handshake(mapped)
    assert all(s.src.ip == "127.0.0.1" for s in mapped.segments), \
        "the AF_INET6 socket's connection to a v4-mapped address is IPv4 on the wire"


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped_v6only_refuses_ipv4(probe, family):
    run = probe("--v6only", "1")
    assert run["v6only"] == 1
    assert run["ipv4_connect"] == "ECONNREFUSED", "with IPV6_V6ONLY=1 the IPv4 connect() is refused"
    assert run["ipv6_connect"] == "connected", "IPv6 clients still connect"
    assert run["mapped_client_connect"] == "ECONNREFUSED", \
        "an AF_INET6 client to the v4-mapped address is IPv4 too, and refused the same way"
    assert run["v6only_change_after_bind"] == "EINVAL"
    _ipv4_refused(run)


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
@pytest.mark.control("net.ipv6.bindv6only=1 in the namespace")
def test_ipv6_dual_stack_v4mapped_bindv6only_control(probe, family):
    """The namespace's bindv6only changes the default: the same listener, left at its
    default, no longer takes IPv4 clients."""
    run = probe("--v6only", "default", sysctls={"net.ipv6.bindv6only": 1})
    assert run["bindv6only"] == "1" and run["v6only"] == 1, "bindv6only=1 makes IPV6_V6ONLY default to 1"
    assert run["ipv4_connect"] == "ECONNREFUSED"
    _ipv4_refused(run)


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped_option_overrides_bindv6only(probe, family):
    run = probe("--v6only", "0", sysctls={"net.ipv6.bindv6only": 1})
    assert run["v6only"] == 0, "an explicit IPV6_V6ONLY=0 overrides the namespace default"
    assert run["ipv4_connect"] == "connected"
