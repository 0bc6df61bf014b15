"""udp(7), RFC 1122 §4.1.3.3: ICMP port unreachable is reported to a connected UDP socket
as ECONNREFUSED; an unconnected socket hears nothing unless it asked (IP_RECVERR)."""
import pytest

from sockspec.checks import udp as checks_udp


def _wire(run, expect):
    """The datagrams the client sent and the ICMP port unreachables that answered them."""
    sent = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    client_ip = run["client_addr"].rpartition(":")[0].strip("[]")
    icmps = checks_udp.port_unreachables(run.packets, to_ip=client_ip)
    expect.eq("both_datagrams_cross_wire", len(sent), 2, "both datagrams cross the wire")
    expect.true("answered_icmp_port_unreachable", bool(len(icmps) == 2 and icmps[0].t_ns > sent[0].t_ns),
                "each is answered by an ICMP port unreachable")
    return sent, icmps


@pytest.mark.behaviour("udp_connected_econnrefused")
def test_udp_connected_econnrefused(probe, family, expect):
    run = probe("--mode", "connected")
    expect.true("icmp_port_unreachable_reached_clients", run["icmp_arrived"],
                "the ICMP port unreachable reached the client's stack")
    expect.eq("connected_socket_pending_error_pollerr", run["poll_revents"], "POLLERR",
              "the connected socket has a pending error (POLLERR)")
    expect.eq("next_call_connected_socket_fails", run["next_call"], "ECONNREFUSED",
              "the next call on the connected socket fails with ECONNREFUSED")
    expect.eq("error_reported_following_send_succeeds", run["send_after_error"], "5",
              "the error is reported once: the following send() succeeds")
    sent, icmps = _wire(run, expect=expect)
    recv_call = run.call("recv", "client")
    expect.true("icmp_arrived_call_reported", icmps[0].t_ns < recv_call["t_real_ns"],
                "the ICMP arrived before the call that reported it")


@pytest.mark.behaviour("udp_connected_econnrefused")
@pytest.mark.control("the client socket is not connected (sendto)")
def test_udp_connected_econnrefused_unconnected_control(probe, family, expect):
    """The same ICMP reaches an unconnected socket's stack, and is not reported."""
    run = probe("--mode", "unconnected")
    expect.true("icmp_port_unreachable_reached_clients", run["icmp_arrived"],
                "the ICMP port unreachable reached the client's stack")
    expect.eq("no_error_pending_poll_times", run["poll_revents"], "0", "no error is pending: poll() times out")
    expect.eq("recv_finds_nothing_eagain_no", run["next_call"], "EAGAIN",
              "recv() finds nothing (EAGAIN), no ECONNREFUSED")
    _wire(run, expect=expect)


@pytest.mark.behaviour("udp_connected_econnrefused")
def test_udp_connected_econnrefused_unconnected_recverr(probe, family, expect):
    """ip(7)/ipv6(7): with IP_RECVERR (IPV6_RECVERR) even an unconnected socket gets the error."""
    run = probe("--mode", "unconnected", "--recverr")
    expect.eq("ip_recverr_unconnected_socket_pending", run["poll_revents"], "POLLERR",
              "with IP_RECVERR the unconnected socket has a pending error")
    expect.eq("next_call_reports_econnrefused", run["next_call"], "ECONNREFUSED",
              "and the next call reports ECONNREFUSED")
    _wire(run, expect=expect)
