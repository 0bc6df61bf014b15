"""Protocol 0 and IPPROTO_TCP give the same socket, read back with
SO_TYPE, SO_PROTOCOL and SO_DOMAIN (socket(7)); a protocol that does not fit the
type fails with EPROTONOSUPPORT (net/ipv4/af_inet.c inet_create())."""
import pytest

from sockspec import checks
from sockspec.checks.tcp_options import TCPOPT_MPTCP

DOMAIN = {"inet": "AF_INET", "inet6": "AF_INET6"}


@pytest.mark.behaviour("socket_type_options")
def test_socket_type_options(probe, family, expect):
    run = probe()
    s = run["sockets"]
    tcp = {"socket": "ok", "SO_TYPE": "SOCK_STREAM", "SO_PROTOCOL": "IPPROTO_TCP", "SO_DOMAIN": DOMAIN[family]}
    udp = {"socket": "ok", "SO_TYPE": "SOCK_DGRAM", "SO_PROTOCOL": "IPPROTO_UDP", "SO_DOMAIN": DOMAIN[family]}
    expect.eq("sock_stream_protocol_0_tcp", s["stream_0"], tcp, "SOCK_STREAM with protocol 0 is TCP", claim="SEED-9")
    expect.eq("sock_stream_ipproto_tcp_same", s["stream_protocol"], s["stream_0"],
              "SOCK_STREAM with IPPROTO_TCP is the same socket as with 0", claim="SEED-9")
    expect.true("sock_dgram_0_ipproto_udp", bool(s["dgram_0"] == udp and s["dgram_udp"] == udp),
                "SOCK_DGRAM with 0 or IPPROTO_UDP is UDP")
    expect.eq("sock_stream_ipproto_udp_fails", s["stream_udp"], {"socket": "EPROTONOSUPPORT"},
              "SOCK_STREAM + IPPROTO_UDP fails")
    expect.eq("sock_dgram_ipproto_tcp_fails", s["dgram_tcp"], {"socket": "EPROTONOSUPPORT"},
              "SOCK_DGRAM + IPPROTO_TCP fails")
    failed = [c for c in run.calls("socket") if c["ret"] < 0]
    expect.eq("errno_name_c_failed_eprotonosupport", [c["errno_name"] for c in failed], ["EPROTONOSUPPORT"] * 2,
              "both failed socket() calls give EPROTONOSUPPORT")

    conns = run["connections"]
    expect.true("stream_0_connect_ok_stream", bool(conns["stream_0"]["connect"] == "ok" and conns["stream_protocol"]["connect"] == "ok"),
                "both stream sockets connect")
    for key in ("stream_0", "stream_protocol"):
        conn = run.connection(conns[key]["addr"], run["server_addr"])
        checks.three_way_handshake(conn, expect)
        expect.true("plain_tcp_syn", TCPOPT_MPTCP not in conn.segments[0].option_kinds,
                    "a plain TCP SYN")


@pytest.mark.behaviour("socket_type_options")
@pytest.mark.control("IPPROTO_MPTCP (262) as the second stream socket's protocol")
def test_socket_type_options_mptcp_control(probe, family, expect):
    """'protocol 0 and the given protocol give the same socket' fails when the
    protocol is IPPROTO_MPTCP: still SOCK_STREAM, but SO_PROTOCOL says 262 and
    its SYN carries the MP_CAPABLE option (RFC 8684 §3.1). A kernel without
    MPTCP refuses the socket instead, which is a flip too."""
    run = probe("--protocol", 262)
    s = run["sockets"]
    expect.ne("two_stream_sockets_differ", s["stream_protocol"], s["stream_0"], "the two stream sockets differ")
    if s["stream_protocol"]["socket"] != "ok":
        return
    expect.eq("s_stream_protocol_so_type", s["stream_protocol"]["SO_TYPE"], "SOCK_STREAM",
              "the IPPROTO_MPTCP socket is SOCK_STREAM")
    expect.eq("protocol_reports_ipproto_mptcp", s["stream_protocol"]["SO_PROTOCOL"], "262",
              "SO_PROTOCOL reports IPPROTO_MPTCP")
    conn = run.connection(run["connections"]["stream_protocol"]["addr"], run["server_addr"])
    expect.is_in("syn_offers_mptcp", TCPOPT_MPTCP, conn.segments[0].option_kinds,
                 "the SYN offers MPTCP")
