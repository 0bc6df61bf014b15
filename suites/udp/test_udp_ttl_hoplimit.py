"""ip(7) IP_TTL/IP_RECVTTL, ipv6(7) IPV6_UNICAST_HOPS, RFC 3542 IPV6_RECVHOPLIMIT: a socket's hop limit."""
import pytest

from sockspec.checks import udp as checks_udp

DEFAULT_HOP_LIMIT = 64   # net.ipv4.ip_default_ttl, net.ipv6.conf.*.hop_limit


def _wire_hop_limits(run):
    return [d.ttl for d in checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])]


@pytest.mark.behaviour("udp_ttl_hoplimit")
def test_udp_ttl_hoplimit(probe, family, expect):
    run = probe("--ttl", 7)
    expect.eq("default_hop_limit_64", run["default_hop_limit"], DEFAULT_HOP_LIMIT,
              "a new socket's IP_TTL (IPV6_UNICAST_HOPS) reads the namespace default, 64")
    expect.eq("hop_limit_set_on_wire", _wire_hop_limits(run), [7],
              "the datagram crosses the wire with the hop limit the socket set")
    expect.eq("receiver_reads_hop_limit_set", run["received_hop_limit"], 7,
              "the receiver's IP_TTL (IPV6_HOPLIMIT) control message says the hop limit the socket set")


@pytest.mark.behaviour("udp_ttl_hoplimit")
@pytest.mark.control("the sender leaves IP_TTL / IPV6_UNICAST_HOPS at the default")
def test_udp_ttl_hoplimit_default_control(probe, family, expect):
    run = probe()
    expect.eq("default_hop_limit_on_wire", _wire_hop_limits(run), [DEFAULT_HOP_LIMIT],
              "left alone, the datagram crosses with the default hop limit")
    expect.eq("receiver_reads_default_hop_limit", run["received_hop_limit"], DEFAULT_HOP_LIMIT,
              "and the receiver's control message says 64")
