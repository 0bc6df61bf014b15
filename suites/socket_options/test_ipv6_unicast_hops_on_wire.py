"""IPV6_UNICAST_HOPS (ipv6(7)): the hop limit of the packets a socket sends, read from the capture."""
import pytest

from sockspec.checks.socket_options import hop_limits


@pytest.mark.behaviour("ipv6_unicast_hops_on_wire")
def test_ipv6_unicast_hops_on_wire(probe, family, expect):
    run = probe("--hops", 7)
    expect.eq("getsockopt_reads_hops", run["client_hops"], 7, "getsockopt(IPV6_UNICAST_HOPS) reads back 7")
    client, server = hop_limits(run.connection())
    expect.eq("client_packets_hop_limit", client, [7], "every packet the client sends, the SYN included, has hop limit 7")
    expect.eq("server_packets_default_hops", server, [run["default_hops"]],
              "the server's packets have lo's default hop limit, net.ipv6.conf.lo.hop_limit")


@pytest.mark.behaviour("ipv6_unicast_hops_on_wire")
@pytest.mark.control("IPV6_UNICAST_HOPS not set")
def test_ipv6_unicast_hops_on_wire_default_control(probe, family, expect):
    """Without IPV6_UNICAST_HOPS the client's packets carry the default hop limit, not 7."""
    run = probe("--hops", 0)
    client, _ = hop_limits(run.connection())
    expect.eq("client_packets_default_hops", client, [run["default_hops"]],
              "the client's packets have lo's default hop limit, net.ipv6.conf.lo.hop_limit")
