"""ip(7), socket(7) SO_BROADCAST: a datagram socket may send to a broadcast address only with SO_BROADCAST."""
import pytest

from sockspec.checks import udp as checks_udp


def _broadcasts(run, address):
    return [d for d in checks_udp.datagrams(run.packets, src=run["client_addr"])
            if d.dst.ip == address and d.dst.port == int(run["server_addr"].rpartition(":")[2])]


@pytest.mark.behaviour("udp_broadcast_needs_so_broadcast")
@pytest.mark.parametrize("address", ["127.255.255.255", "255.255.255.255"])
def test_udp_broadcast_needs_so_broadcast(probe, family, address, expect):
    run = probe("--to", address)
    expect.eq("broadcast_off_new_socket", run["so_broadcast_default"], 0, "SO_BROADCAST is off on a new socket")
    expect.eq("sendto_broadcast_address_without_broadcast", run["first_sendto"], "EACCES",
              "sendto() a broadcast address without SO_BROADCAST fails with EACCES")
    expect.eq("broadcast_same_sendto_succeeds", run["second_sendto"], str(len("to everyone, again")),
              "with SO_BROADCAST the same sendto() succeeds")
    expect.eq("receiver_bound_0_0_0", run["received"], ["to everyone, again"],
              "a receiver bound to 0.0.0.0 on lo reads the broadcast")

    wire = _broadcasts(run, address)
    expect.eq("only_datagram_sent_broadcast_wire", [d.length for d in wire], [18],
              "only the datagram sent with SO_BROADCAST is on the wire, to the broadcast address")
    refused = run.calls("sendto", "client")[0]
    expect.true("refused_sendto_put_nothing_wire", bool(refused["errno_name"] == "EACCES" and wire[0].t_ns > refused["end_real_ns"]),
                "the refused sendto() put nothing on the wire")


@pytest.mark.behaviour("udp_broadcast_needs_so_broadcast")
@pytest.mark.control("SO_BROADCAST set before the first sendto()")
def test_udp_broadcast_needs_so_broadcast_option_set_control(probe, family, expect):
    run = probe("--to", "127.255.255.255", "--broadcast-first")
    expect.eq("broadcast_set_first_first_sendto", run["first_sendto"], str(len("to everyone")),
              "with SO_BROADCAST set first, the first sendto() succeeds")
    expect.eq("received", run["received"], ["to everyone", "to everyone, again"],
              "both broadcasts are received")
    expect.eq("d_length_d_broadcasts_run", [d.length for d in _broadcasts(run, "127.255.255.255")], [11, 18],
              "both broadcasts cross the wire whole")
