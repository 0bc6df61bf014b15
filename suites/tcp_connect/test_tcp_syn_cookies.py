"""SYN cookies (tcp(7) tcp_syncookies, RFC 4987 §3.6): with
net.ipv4.tcp_syncookies=2 every SYN is answered with a cookie and the
connection is rebuilt from the final ACK (net/ipv4/syncookies.c)."""
import pytest

from sockspec import checks


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
