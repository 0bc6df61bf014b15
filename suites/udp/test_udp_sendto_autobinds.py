"""udp(7), inet_autobind(): an unbound datagram socket is bound by its first send."""
import pytest


def _split(addr):
    host, _, port = addr.rpartition(":")
    return host.strip("[]"), int(port)


@pytest.mark.behaviour("udp_sendto_autobinds")
def test_udp_sendto_autobinds(probe, family, expect):
    run = probe()
    wildcard = "0.0.0.0" if family == "inet" else "::"
    expect.eq("unbound_before_send", _split(run["local_before_send"]), (wildcard, 0),
              "before its first send an unbound socket has the wildcard address and port 0")
    host, port = _split(run["local_after_send"])
    expect.eq("autobound_to_wildcard", host, wildcard, "the send binds it to the wildcard address")
    low, high = (int(x) for x in run["port_range"].split())
    expect.between("autobound_port_ephemeral", port, low, high,
                   "and to a port from net.ipv4.ip_local_port_range")
    expect.eq("receiver_sees_autobound_port", _split(run["server_saw_from"])[1], port,
              "the receiver sees that port as the source")


@pytest.mark.behaviour("udp_sendto_autobinds")
@pytest.mark.control("the client binds to loopback port 0 before sending")
def test_udp_sendto_autobinds_bound_first_control(probe, family, expect):
    run = probe("--bind-first")
    expect.ne("bound_socket_has_port_before_send", _split(run["local_before_send"])[1], 0,
              "a socket bound first has its port before any send")
    expect.eq("bound_socket_keeps_address", run["local_after_send"], run["local_before_send"],
              "and keeps its address across the send")
