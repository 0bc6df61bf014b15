"""udp(7), RFC 1122 §4.1.3.3: ICMP port unreachable is reported to a connected UDP socket
as ECONNREFUSED; an unconnected socket hears nothing unless it asked (IP_RECVERR)."""
import pytest

from sockspec import checks_udp


def _wire(run):
    """The datagrams the client sent and the ICMP port unreachables that answered them."""
    sent = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    client_ip = run["client_addr"].rpartition(":")[0].strip("[]")
    icmps = checks_udp.port_unreachables(run.packets, to_ip=client_ip)
    assert len(sent) == 2, f"both datagrams cross the wire: {checks_udp.picture(run.packets)}"
    assert len(icmps) == 2 and icmps[0].t_ns > sent[0].t_ns, \
        f"each is answered by an ICMP port unreachable: {checks_udp.picture(run.packets)}"
    return sent, icmps


@pytest.mark.behaviour("udp_connected_econnrefused")
def test_udp_connected_econnrefused(probe, family):
    run = probe("--mode", "connected")
    assert run["icmp_arrived"] is True, "the ICMP port unreachable reached the client's stack"
    assert run["poll_revents"] == "POLLERR", "the connected socket has a pending error (POLLERR)"
    assert run["next_call"] == "ECONNREFUSED", "the next call on the connected socket fails with ECONNREFUSED"
    assert run["send_after_error"] == "5", "the error is reported once: the following send() succeeds"
    sent, icmps = _wire(run)
    recv_call = run.call("recv", "client")
    assert icmps[0].t_ns < recv_call["t_real_ns"], "the ICMP arrived before the call that reported it"


@pytest.mark.behaviour("udp_connected_econnrefused")
@pytest.mark.control("the client socket is not connected (sendto)")
def test_udp_connected_econnrefused_unconnected_control(probe, family):
    """The same ICMP reaches an unconnected socket's stack, and is not reported."""
    run = probe("--mode", "unconnected")
    assert run["icmp_arrived"] is True, "the ICMP port unreachable reached the client's stack"
    assert run["poll_revents"] == "0", "no error is pending: poll() times out"
    assert run["next_call"] == "EAGAIN", "recv() finds nothing (EAGAIN), no ECONNREFUSED"
    _wire(run)


@pytest.mark.behaviour("udp_connected_econnrefused")
def test_udp_connected_econnrefused_unconnected_recverr(probe, family):
    """ip(7)/ipv6(7): with IP_RECVERR (IPV6_RECVERR) even an unconnected socket gets the error."""
    run = probe("--mode", "unconnected", "--recverr")
    assert run["poll_revents"] == "POLLERR", "with IP_RECVERR the unconnected socket has a pending error"
    assert run["next_call"] == "ECONNREFUSED", "and the next call reports ECONNREFUSED"
    _wire(run)
