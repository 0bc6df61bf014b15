"""udp(7), RFC 768: a datagram may carry no data; recv() returns 0 for it, which is not end-of-file."""
import pytest

from sockspec.checks import udp as checks_udp


@pytest.mark.behaviour("udp_zero_length_datagram")
def test_udp_zero_length_datagram(probe, family, expect):
    run = probe()
    expect.eq("sendto_zero_bytes_succeeds_returns", run["empty_send_returned"], 0,
              "sendto() of zero bytes succeeds and returns 0")
    expect.eq("empty_datagram_makes_socket_readable", run["poll_revents"], "POLLIN",
              "an empty datagram makes the socket readable")
    expect.eq("recvfrom_returns_0_empty_datagram", run["empty_recv_returned"], 0,
              "recvfrom() returns 0 for the empty datagram")
    expect.eq("names_sender_datagram_not_eof", run["empty_recv_from"], run["client_addr"],
              "and names its sender: it is a datagram, not EOF")
    expect.true("socket_usable_next_recv_returns", bool(run["next_recv_returned"] == 5 and run["next_recv_data"] == "after"),
                "the socket is still usable: the next recv() returns the next datagram")

    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    expect.eq("empty_send_datagram_length_0", [d.length for d in wire], [0, 5],
              "the empty send is a datagram of length 0 on the wire")
    expect.eq("payload", wire[0].payload, b"", "the datagram on the wire carries no payload")
    send_call = run.call("sendto", "client")
    expect.true("empty_datagram_crosses_sendto_call", wire[0].t_ns >= send_call["t_real_ns"],
                "the empty datagram crosses after the sendto() call")
