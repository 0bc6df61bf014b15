"""IP_TTL (ip(7)): the TTL of the packets a socket sends, read from the capture."""
import pytest

from sockspec.checks.socket_options import hop_limits


@pytest.mark.behaviour("ip_ttl_on_wire")
def test_ip_ttl_on_wire(probe, family, expect):
    run = probe("--ttl", 7)
    expect.eq("getsockopt_reads_ttl", run["client_ttl"], 7, "getsockopt(IP_TTL) reads back 7")
    client, server = hop_limits(run.connection())
    expect.eq("client_packets_ttl", client, [7], "every packet the client sends, the SYN included, has TTL 7")
    expect.eq("server_packets_default_ttl", server, [run["default_ttl"]],
              "the server's packets have the default TTL, net.ipv4.ip_default_ttl")


@pytest.mark.behaviour("ip_ttl_on_wire")
@pytest.mark.control("IP_TTL not set")
def test_ip_ttl_on_wire_default_control(probe, family, expect):
    """Without IP_TTL the client's packets carry the default TTL, not 7."""
    run = probe("--ttl", 0)
    client, _ = hop_limits(run.connection())
    expect.eq("client_packets_default_ttl", client, [run["default_ttl"]],
              "the client's packets have the default TTL, net.ipv4.ip_default_ttl")
