"""SYN cookies (tcp(7) tcp_syncookies, RFC 4987 §3.6): with
net.ipv4.tcp_syncookies=2 every SYN is answered with a cookie and the
connection is rebuilt from the final ACK (net/ipv4/syncookies.c)."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

DROP_FINAL_ACK = Fault("tcp flags == ack", 1)  # the first pure ACK: the client's last handshake segment


def check_connection_works(run):
    assert run["server_read"] == "hello from client" and run["client_read"] == "hello from server", \
        "data flows both ways"
    conn = run.connection()
    checks.three_way_handshake(conn)
    data = [s for s in conn.segments if s.length > 0]
    assert len(data) == 2 and conn.from_client(data[0]) and not conn.from_client(data[1])


@pytest.mark.behaviour("tcp_syn_cookies")
def test_tcp_syn_cookies(probe, family, claims):
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 2})
    assert run["tcp_syncookies"] == 2
    assert run["counters"]["SyncookiesSent"] == 1, "the SYN+ACK was a cookie (TcpExt SyncookiesSent +1)"
    assert run["counters"]["SyncookiesRecv"] == 1, "the final ACK returned a valid cookie (SyncookiesRecv +1)"
    assert run["counters"]["SyncookiesFailed"] == 0
    assert run["request_sockets_after_connect"] == 0, "no request socket was kept"
    check_connection_works(run)
    synack = run.connection().segments[1]
    assert {"mss", "sackok", "wscale", "ts"} <= set(synack.options), \
        "the cookie SYN+ACK still offers every option (encoded in the timestamp)"
    claims.verdict("SEED-13", "partly", "with tcp_syncookies=2 the server kept no half-open (SYN queue) entry at "
                                        "all: the SYN+ACK was a cookie and the connection was rebuilt from the ACK")


@pytest.mark.behaviour("tcp_syn_cookies")
@pytest.mark.parametrize("syncookies", [0, 1])
@pytest.mark.control("net.ipv4.tcp_syncookies=0 or 1 in the namespace")
def test_tcp_syn_cookies_off_control(probe, family, syncookies):
    """The check 'a cookie was sent and received' fails unless cookies are
    forced: an uncongested listener answers with an ordinary SYN+ACK."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": syncookies})
    assert run["counters"] == {"SyncookiesSent": 0, "SyncookiesRecv": 0, "SyncookiesFailed": 0}
    check_connection_works(run)


@pytest.mark.behaviour("tcp_syn_cookies")
def test_tcp_syn_cookies_stateless(probe, family):
    """With the final ACK lost, a cookie server holds nothing: no request
    socket, no SYN+ACK retransmission; the client's data segment carries the
    cookie back (its ACK number) and the connection is built from it."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 2}, faults=[DROP_FINAL_ACK])
    assert run["request_sockets_after_connect"] == 0 and run["queue_after_connect"] == 0, \
        "after the lost ACK the server has neither a request socket nor a queued connection"
    assert run["counters"]["SyncookiesRecv"] == 1, "the data segment's ACK validated the cookie"
    assert run["server_read"] == "hello from client" and run["client_read"] == "hello from server"
    conn = run.connection()
    labels = checks.labels(conn)
    assert labels[:3] == ["c>SYN", "s>SYN+ACK", "c>PSH+ACK"], f"the data follows the SYN+ACK at once: {labels}"
    assert labels.count("s>SYN+ACK") == 1, "the SYN+ACK is never retransmitted: the server kept no state"


@pytest.mark.behaviour("tcp_syn_cookies")
@pytest.mark.control("net.ipv4.tcp_syncookies=1 (the default), same lost ACK")
def test_tcp_syn_cookies_stateless_control(probe, family):
    """The check 'no request socket after the lost ACK' fails without forced
    cookies: the server keeps a request socket until the data's ACK completes it."""
    run = probe(sysctls={"net.ipv4.tcp_syncookies": 1}, faults=[DROP_FINAL_ACK])
    assert run["request_sockets_after_connect"] == 1
    assert run["counters"]["SyncookiesRecv"] == 0
    assert run["server_read"] == "hello from client"
