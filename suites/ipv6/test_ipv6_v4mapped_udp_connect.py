"""ipv6(7), RFC 4291 §2.5.5.2: IPv4-mapped destinations on an AF_INET6 UDP socket, and IPV6_V6ONLY."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("ipv6_v4mapped_udp_connect")
def test_ipv6_v4mapped_udp_connect(probe, family, expect):
    run = probe("--v6only", 0)
    expect.eq("connect_mapped_succeeds", run["connect"], "ok",
              "without IPV6_V6ONLY connect() to an IPv4-mapped address succeeds")
    expect.eq("local_address_mapped", run["local_addr"].rpartition(":")[0], "[::ffff:127.0.0.1]",
              "getsockname() gives the IPv4 source as a mapped address")
    expect.eq("server_sees_ipv4_source", run["server_saw_from"], run["client_addr"],
              "the IPv4 server sees the datagram come from 127.0.0.1 and the client's port")
    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.eq("plain_ipv4_on_wire", [d.payload for d in wire], [b"over IPv4"],
              "the datagram crosses the wire as plain IPv4")
    expect.eq("sendto_mapped_works", run["sendto_mapped"], "11", "sendto() a mapped address works too")


@pytest.mark.behaviour("ipv6_v4mapped_udp_connect")
@pytest.mark.control("IPV6_V6ONLY set on the client's sockets")
def test_ipv6_v4mapped_udp_connect_v6only_control(probe, family, expect):
    run = probe("--v6only", 1)
    expect.eq("v6only_connect_mapped_enetunreach", run["connect"], "ENETUNREACH",
              "with IPV6_V6ONLY connect() to a mapped address fails with ENETUNREACH")
    expect.eq("v6only_sendto_mapped_enetunreach", run["sendto_mapped"], "ENETUNREACH",
              "and sendto() a mapped address fails the same way")
    expect.eq("v6only_nothing_on_wire", len(checks_udp.datagrams(run.packets)), 0, "nothing is sent")
