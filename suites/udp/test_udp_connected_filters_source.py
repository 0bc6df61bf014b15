"""udp(7), connect(2): a connected datagram socket receives only from its peer."""
import pytest

from sockspec import checks_udp


@pytest.mark.behaviour("udp_connected_filters_source")
def test_udp_connected_filters_source(probe, family):
    run = probe("--receiver", "connected")
    assert run["stranger_datagram_handled"] is True
    assert run["received"] == [{"data": "from the peer", "from": run["client_addr"]}], \
        "the connected socket returns only its peer's datagram"
    assert run["second_read"] == "EAGAIN", "the stranger's datagram is never returned"
    assert run["no_ports"] == 1, "the stranger's datagram matched no socket (Udp NoPorts + 1)"

    from_stranger = checks_udp.datagrams(run.packets, run["stranger_addr"], run["server_addr"])
    from_peer = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    assert len(from_stranger) == 1 and len(from_peer) == 1, \
        f"both datagrams reached the server's address on the wire: {checks_udp.picture(run.packets)}"
    stranger_ip = run["stranger_addr"].rpartition(":")[0].strip("[]")
    icmps = checks_udp.port_unreachables(run.packets, to_ip=stranger_ip)
    assert len(icmps) == 1 and from_stranger[0].t_ns < icmps[0].t_ns < from_peer[0].t_ns, \
        f"the stranger is answered with ICMP port unreachable, as if no one listened: {checks_udp.picture(run.packets)}"


@pytest.mark.behaviour("udp_connected_filters_source")
@pytest.mark.control("the receiving socket is not connected")
def test_udp_connected_filters_source_unconnected_control(probe, family):
    run = probe("--receiver", "unconnected")
    assert [r["from"] for r in run["received"]] == [run["stranger_addr"], run["client_addr"]], \
        "an unconnected socket returns both datagrams, the stranger's first"
    assert run["no_ports"] == 0
    assert checks_udp.port_unreachables(run.packets) == [], "no ICMP: the stranger's datagram found a socket"
