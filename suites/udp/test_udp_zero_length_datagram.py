"""udp(7), RFC 768: a datagram may carry no data; recv() returns 0 for it, which is not end-of-file."""
import pytest

from sockspec import checks_udp


@pytest.mark.behaviour("udp_zero_length_datagram")
def test_udp_zero_length_datagram(probe, family):
    run = probe()
    assert run["empty_send_returned"] == 0, "sendto() of zero bytes succeeds and returns 0"
    assert run["poll_revents"] == "POLLIN", "an empty datagram makes the socket readable"
    assert run["empty_recv_returned"] == 0, "recvfrom() returns 0 for the empty datagram"
    assert run["empty_recv_from"] == run["client_addr"], "and names its sender: it is a datagram, not EOF"
    assert run["next_recv_returned"] == 5 and run["next_recv_data"] == "after", \
        "the socket is still usable: the next recv() returns the next datagram"

    wire = checks_udp.datagrams(run.packets, run["client_addr"], run["server_addr"])
    assert [d.length for d in wire] == [0, 5], \
        f"the empty send is a datagram of length 0 on the wire: {checks_udp.picture(run.packets)}"
    assert wire[0].payload == b""
    send_call = run.call("sendto", "client")
    assert wire[0].t_ns >= send_call["t_real_ns"], "the empty datagram crosses after the sendto() call"
