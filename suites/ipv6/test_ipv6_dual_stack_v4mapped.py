"""ipv6(7), RFC 4291 §2.5.5.2, RFC 3493 §5.3: dual stack through IPv4-mapped addresses, and IPV6_V6ONLY."""
import pytest

from sockspec import checks


def _ipv4_refused(run, expect):
    conn = run.connection()
    expect.true("ipv4_client_speaks_ipv4_wire", bool(all(s.src.ip == "127.0.0.1" for s in conn.segments)),
                "the IPv4 client speaks IPv4 on the wire")
    expect.eq("ipv4_syn_finds_no_socket", checks.labels(conn)[:2], ["c>SYN", "s>RST+ACK"],
              "the IPv4 SYN finds no socket and is answered with RST")


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped(probe, family, expect):
    run = probe("--v6only", "default")
    expect.true("ipv6_v6only_off_default_bindv6only", bool(run["bindv6only"] == "0" and run["v6only"] == 0),
                "IPV6_V6ONLY is off by default (bindv6only=0)")
    expect.eq("ipv4_client_connects_af_inet6", run["ipv4_connect"], "connected",
              "an IPv4 client connects to the AF_INET6 listener bound to ::")
    client_port = run["client_addr"].rpartition(":")[2]
    expect.eq("accept_gives_ipv4_clients_address", run["ipv4_accepted_peer"], f"[::ffff:127.0.0.1]:{client_port}",
              "accept() gives the IPv4 client's address as the IPv4-mapped IPv6 address ::ffff:127.0.0.1")
    expect.eq("ipv4_accepted_peer_family", run["ipv4_accepted_peer_family"], "AF_INET6",
              "the IPv4 client is accepted on the AF_INET6 socket")
    expect.true("local_address_v4_mapped_too", bool(run["ipv4_accepted_local"].startswith("[::ffff:127.0.0.1]:")),
                "the local address is v4-mapped too")
    expect.eq("ipv4_data", run["ipv4_data"], "hello over IPv4", "the IPv4 client's data arrives")
    expect.true("ipv6_connect_connected_ipv6_accepted", bool(run["ipv6_connect"] == "connected" and run["ipv6_accepted_peer_ip"] == "::1"),
                "an IPv6 client connects too, from ::1")

    expect.eq("ipv6_v6only_cannot_changed_socket", run["v6only_change_after_bind"], "EINVAL",
              "IPV6_V6ONLY cannot be changed once the socket is bound")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    expect.true("wire_connection_plain_ipv4_mapping", bool(all(s.src.ip == "127.0.0.1" and s.dst.ip == "127.0.0.1" for s in conn.segments)),
                "on the wire the connection is plain IPv4: the mapping exists only at the socket API")

    expect.eq("af_inet6_socket_connects_ffff", run["mapped_client_connect"], "connected",
              "an AF_INET6 socket connects to [::ffff:127.0.0.1]")
    expect.true("mapped_client_is_v4mapped", bool(run["mapped_client_local"].startswith("[::ffff:127.0.0.1]:")),
                "the client's local address is the v4-mapped ::ffff:127.0.0.1")
    mapped_port = run["mapped_client_local"].rpartition(":")[2]
    mapped = run.connection(f"127.0.0.1:{mapped_port}", run["server_addr"])
    checks.three_way_handshake(mapped, expect)
    expect.true("af_inet6_sockets_connection_v4", bool(all(s.src.ip == "127.0.0.1" for s in mapped.segments)),
                "the AF_INET6 socket's connection to a v4-mapped address is IPv4 on the wire")


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped_v6only_refuses_ipv4(probe, family, expect):
    run = probe("--v6only", "1")
    expect.eq("v6only", run["v6only"], 1, "IPV6_V6ONLY reads 1")
    expect.eq("ipv6_v6only_1_ipv4_connect", run["ipv4_connect"], "ECONNREFUSED",
              "with IPV6_V6ONLY=1 the IPv4 connect() is refused")
    expect.eq("ipv6_clients_connect", run["ipv6_connect"], "connected", "IPv6 clients still connect")
    expect.eq("af_inet6_client_v4_mapped", run["mapped_client_connect"], "ECONNREFUSED",
              "an AF_INET6 client to the v4-mapped address is IPv4 too, and refused the same way")
    expect.eq("v6only_change_after_bind", run["v6only_change_after_bind"], "EINVAL",
              "changing IPV6_V6ONLY after bind() fails with EINVAL")
    _ipv4_refused(run, expect=expect)


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
@pytest.mark.control("net.ipv6.bindv6only=1 in the namespace")
def test_ipv6_dual_stack_v4mapped_bindv6only_control(probe, family, expect):
    """The namespace's bindv6only changes the default: the same listener, left at its
    default, no longer takes IPv4 clients."""
    run = probe("--v6only", "default", sysctls={"net.ipv6.bindv6only": 1})
    expect.true("bindv6only_1_makes_ipv6_v6only", bool(run["bindv6only"] == "1" and run["v6only"] == 1),
                "bindv6only=1 makes IPV6_V6ONLY default to 1")
    expect.eq("ipv4_connect", run["ipv4_connect"], "ECONNREFUSED", "an IPv4 client is refused")
    _ipv4_refused(run, expect=expect)


@pytest.mark.behaviour("ipv6_dual_stack_v4mapped")
def test_ipv6_dual_stack_v4mapped_option_overrides_bindv6only(probe, family, expect):
    run = probe("--v6only", "0", sysctls={"net.ipv6.bindv6only": 1})
    expect.eq("explicit_ipv6_v6only_0_overrides", run["v6only"], 0,
              "an explicit IPV6_V6ONLY=0 overrides the namespace default")
    expect.eq("ipv4_connect_2", run["ipv4_connect"], "connected", "an IPv4 client connects")
