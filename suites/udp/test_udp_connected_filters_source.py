"""udp(7), connect(2): a connected datagram socket receives only from its peer."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("udp_connected_filters_source")
def test_udp_connected_filters_source(probe, family, expect):
    run = probe("--receiver", "connected")
    expect.true("stranger_datagram_handled", run["stranger_datagram_handled"], "the stranger's datagram reached the namespace")
    expect.eq("connected_socket_returns_only_peers", run["received"], [{"data": "from the peer", "from": run["client_addr"]}],
              "the connected socket returns only its peer's datagram")
    expect.eq("strangers_datagram_never_returned", run["second_read"], "EAGAIN",
              "the stranger's datagram is never returned")
    expect.true("strangers_datagram_matched_no_socket", run["no_ports"] == 1,
                "the stranger's datagram matched no socket (Udp NoPorts + 1)")

    from_stranger = checks_udp.datagrams(run.packets, run["stranger_addr"], run["server_addr"])
    from_peer = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.true("both_datagrams_reached_servers_address", bool(len(from_stranger) == 1 and len(from_peer) == 1),
                "both datagrams reached the server's address on the wire")
    stranger_ip = run["stranger_addr"].rpartition(":")[0].strip("[]")
    icmps = checks_udp.port_unreachables(run.packets, to_ip=stranger_ip)
    expect.true("stranger_answered_icmp_port_unreachable", bool(len(icmps) == 1 and from_stranger[0].t_ns < icmps[0].t_ns < from_peer[0].t_ns),
                "the stranger is answered with ICMP port unreachable, as if no one listened")


@pytest.mark.behaviour("udp_connected_filters_source")
@pytest.mark.control("the receiving socket is not connected")
def test_udp_connected_filters_source_unconnected_control(probe, family, expect):
    run = probe("--receiver", "unconnected")
    expect.eq("unconnected_socket_returns_both_datagrams", [r["from"] for r in run["received"]], [run["stranger_addr"], run["client_addr"]],
              "an unconnected socket returns both datagrams, the stranger's first")
    expect.true("no_ports", run["no_ports"] == 0, "no datagram found no port (Udp NoPorts)")
    expect.true("no_icmp_strangers_datagram_found", checks_udp.port_unreachables(run.packets) == [],
                "no ICMP: the stranger's datagram found a socket")
