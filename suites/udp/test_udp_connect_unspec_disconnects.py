"""connect(2): connecting a datagram socket to AF_UNSPEC dissolves its association."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("udp_connect_unspec_disconnects")
def test_udp_connect_unspec_disconnects(probe, family, expect):
    run = probe()
    expect.eq("connect_unspec_succeeds", run["disconnect"], "ok", "connect() to an AF_UNSPEC address succeeds")
    expect.eq("no_peer_after_disconnect", run["getpeername_after"], "ENOTCONN",
              "after it the socket has no peer: getpeername() fails with ENOTCONN")
    expect.eq("send_needs_address_after_disconnect", run["send_without_address"], "EDESTADDRREQ",
              "send() without an address fails with EDESTADDRREQ")
    expect.eq("implicit_port_released", run["local_port_after"], 0,
              "the port the connect() bound implicitly is released (getsockname() shows port 0)")
    expect.eq("sendto_other_peer_works", run["sendto_other"], "10", "sendto() another peer succeeds")
    expect.eq("receives_from_any_source", run["recv_from_other"], "from another",
              "a datagram from a source other than the old peer is received")
    new_port = int(run["local_addr_now"].rpartition(":")[2])
    wire = checks_udp.datagrams(run.packets, dst=run["other_addr"])
    expect.eq("datagram_to_other_on_wire", [(d.payload, d.src.port) for d in wire], [(b"to another", new_port)],
              "the datagram to the other peer crosses the wire from the port the sendto() bound")


@pytest.mark.behaviour("udp_connect_unspec_disconnects")
@pytest.mark.control("the socket stays connected (no AF_UNSPEC connect)")
def test_udp_connect_unspec_disconnects_stay_connected_control(probe, family, expect):
    """Without the AF_UNSPEC connect the association filters the other peer's datagram."""
    run = probe("--stay-connected")
    expect.eq("connected_socket_keeps_peer", run["getpeername_after"], "ok", "the connected socket keeps its peer")
    expect.eq("connected_send_without_address_works", run["send_without_address"], "9",
              "send() without an address goes to the peer")
    expect.eq("connected_socket_keeps_port", run["local_port_after"], int(run["client_addr"].rpartition(":")[2]),
              "the socket keeps its port")
    expect.eq("connected_socket_drops_other_source", run["recv_from_other"], "EAGAIN",
              "the datagram from the other source is not received")
