"""SYN cookies (tcp(7) tcp_syncookies, RFC 4987 §3.6): with
net.ipv4.tcp_syncookies=2 every SYN is answered with a cookie and the
connection is rebuilt from the final ACK (net/ipv4/syncookies.c)."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

DROP_FINAL_ACK = Fault("tcp flags == ack", 1)  # the first pure ACK: the client's last handshake segment


def check_connection_works(run, expect):
    expect.true("data_flows_both_ways", bool(run["server_read"] == "hello from client" and run["client_read"] == "hello from server"),
                "data flows both ways")
    conn = run.connection()
    checks.three_way_handshake(conn, expect)
    data = [s for s in conn.segments if s.length > 0]
    expect.true("len_data_2_conn_client", bool(len(data) == 2 and conn.from_client(data[0]) and not conn.from_client(data[1])),
                "one data segment each way")


@pytest.mark.behaviour("tcp_syn_cookies")
def test_tcp_syn_cookies(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 2})
    expect.eq("tcp_syncookies", run["tcp_syncookies"], 2, "the namespace's tcp_syncookies is 2")
    expect.eq("syn_ack_cookie_tcpext_syncookiessent", run["counters"]["SyncookiesSent"], 1,
              "the SYN+ACK was a cookie (TcpExt SyncookiesSent +1)")
    expect.eq("final_ack_returned_valid_cookie", run["counters"]["SyncookiesRecv"], 1,
              "the final ACK returned a valid cookie (SyncookiesRecv +1)")
    expect.eq("counters_syncookiesfailed", run["counters"]["SyncookiesFailed"], 0,
              "no cookie fails validation (SyncookiesFailed)")
    expect.eq("no_request_socket_kept", run["request_sockets_after_connect"], 0, "no request socket was kept", refutes="SEED-13")
    check_connection_works(run, expect=expect)
    synack = run.connection().segments[1]
    expect.le("cookie_syn_ack_offers_option", {"mss", "sackok", "wscale", "ts"}, set(synack.options),
              "the cookie SYN+ACK still offers every option (encoded in the timestamp)")


@pytest.mark.behaviour("tcp_syn_cookies")
@pytest.mark.parametrize("syncookies", [0, 1])
@pytest.mark.control("net.ipv4.tcp_syncookies=0 or 1 in the namespace")
def test_tcp_syn_cookies_off_control(probe, family, syncookies, expect):
    """The check 'a cookie was sent and received' fails unless cookies are
    forced: an uncongested listener answers with an ordinary SYN+ACK."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": syncookies})
    expect.eq("counters", run["counters"], {"SyncookiesSent": 0, "SyncookiesRecv": 0, "SyncookiesFailed": 0},
              "no cookie is sent, received or failed")
    check_connection_works(run, expect=expect)


@pytest.mark.behaviour("tcp_syn_cookies")
def test_tcp_syn_cookies_stateless(probe, family, expect):
    """With the final ACK lost, a cookie server holds nothing: no request
    socket, no SYN+ACK retransmission; the client's data segment carries the
    cookie back (its ACK number) and the connection is built from it."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 2}, faults=[DROP_FINAL_ACK])
    expect.true("lost_ack_server_neither_request", bool(run["request_sockets_after_connect"] == 0 and run["queue_after_connect"] == 0),
                "after the lost ACK the server has neither a request socket nor a queued connection")
    expect.eq("data_segments_ack_validated_cookie", run["counters"]["SyncookiesRecv"], 1,
              "the data segment's ACK validated the cookie")
    expect.true("server_read_hello_client_client", bool(run["server_read"] == "hello from client" and run["client_read"] == "hello from server"),
                "data flows both ways")
    conn = run.connection()
    labels = checks.labels(conn)
    expect.eq("data_follows_syn_ack", labels[:3], ["c>SYN", "s>SYN+ACK", "c>PSH+ACK"],
              "the data follows the SYN+ACK at once")
    expect.eq("syn_ack_never_retransmitted_server", labels.count("s>SYN+ACK"), 1,
              "the SYN+ACK is never retransmitted: the server kept no state")


@pytest.mark.behaviour("tcp_syn_cookies")
@pytest.mark.control("net.ipv4.tcp_syncookies=1 (the default), same lost ACK")
def test_tcp_syn_cookies_stateless_control(probe, family, expect):
    """The check 'no request socket after the lost ACK' fails without forced
    cookies: the server keeps a request socket until the data's ACK completes it."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 1}, faults=[DROP_FINAL_ACK])
    expect.eq("request_sockets_after_connect", run["request_sockets_after_connect"], 1,
              "one request socket waits after connect()")
    expect.eq("counters_syncookiesrecv", run["counters"]["SyncookiesRecv"], 0, "no cookie is received (SyncookiesRecv)")
    expect.eq("server_read", run["server_read"], "hello from client", "the server reads the client's data")
