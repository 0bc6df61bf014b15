"""TCP Fast Open (RFC 7413): a cookie from a first connection lets the second
carry its data in the SYN; the server accepts it with the data readable
(tcp(7) TCP_FASTOPEN, ip-sysctl.rst tcp_fastopen)."""
import pytest

from sockspec import flow


def conns(run):
    return [run.connection(r["client_addr"], run["server_addr"]) for r in run["rounds"]]


@pytest.mark.behaviour("tcp_fast_open")
def test_tcp_fast_open(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_fastopen": 3})
    expect.eq("accepted_socket_clients_request_readable", [r["read_after_accept"] for r in run["rounds"]], ["request 1", "request 2"],
              "each accepted socket has its client's request readable at once")
    expect.eq("cookie_request_fast_open_connection", run["counters"], {"TCPFastOpenActive": 1, "TCPFastOpenPassive": 1, "TCPFastOpenCookieReqd": 1},
              "one cookie request, then one Fast Open connection on each side")

    first, second = conns(run)
    syn1, synack1 = first.segments[0], first.segments[1]
    expect.true("first_syn_carries_no_data", bool(syn1.flags_exactly("SYN") and syn1.length == 0),
                "the first SYN carries no data")
    expect.eq("first_syn_asks_cookie_empty", syn1.options.get("fastopen"), "",
              "the first SYN asks for a cookie (empty Fast Open option)")
    cookie = synack1.options.get("fastopen")
    expect.true("first_syn_ack_carries_cookie", bool(cookie), "the first SYN+ACK carries a cookie")
    data1 = next(s for s in first.segments if s.length > 0)
    expect.ge("first_request_follows_syn_ack", first.segments.index(data1), 2,
              "the first request follows the SYN+ACK (riding on the final ACK)")

    syn2, synack2 = second.segments[0], second.segments[1]
    expect.true("second_syn_carries_request", bool(syn2.flags_exactly("SYN") and syn2.length == len("request 2")),
                "the second SYN carries the request")
    expect.eq("cookie_given", syn2.options.get("fastopen"), cookie, "with the cookie it was given")
    expect.true("syn_ack_already_acknowledges_data", bool(synack2.has("SYN", "ACK") and synack2.ack == (syn2.seq + 1 + syn2.length) % 2**32),
                "the SYN+ACK already acknowledges the data")
    expect.true("request_not_sent_again_handshake", not [s for s in second.segments[2:] if s.length > 0 and second.from_client(s)],
                "the request is not sent again after the handshake")


@pytest.mark.behaviour("tcp_fast_open")
@pytest.mark.control("net.ipv4.tcp_fastopen=1 in the namespace (client only)")
def test_tcp_fast_open_server_off_control(probe, family, expect):
    """The check 'the second SYN carries data' fails when the server side of Fast
    Open is off: no cookie is issued, so no SYN ever carries data."""
    run = probe(sysctls={"net.ipv4.tcp_fastopen": 1})
    expect.eq("requests_arrive", [r["read_after_accept"] for r in run["rounds"]], ["request 1", "request 2"],
              "the requests still arrive")
    expect.eq("counters_tcpfastopenpassive", run["counters"]["TCPFastOpenPassive"], 0,
              "no Fast Open connection is accepted (TCPFastOpenPassive)")
    for conn in conns(run):
        expect.eq("no_syn_carries_data", conn.segments[0].length, 0, "no SYN carries data")
        expect.true("no_syn_ack_carries_cookie", "fastopen" not in conn.segments[1].options,
                    "no SYN+ACK carries a cookie")
