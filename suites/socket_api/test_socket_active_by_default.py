"""A new socket is active and listen() makes it passive. Linux refuses
the other role's call: accept() on a socket that is not listening gives EINVAL
(accept(2), net/ipv4/inet_connection_sock.c inet_csk_accept()), connect() on a
listening socket gives EISCONN (net/ipv4/af_inet.c __inet_stream_connect():
sk_state is not TCP_CLOSE), and UDP has no listen() or accept() (EOPNOTSUPP)."""
import pytest

from sockspec import checks, flow


@pytest.mark.behaviour("socket_active_by_default")
def test_socket_active_by_default(probe, family, expect):
    run = probe()
    expect.ne("accept_on_active_fails", run["accept_on_active"], "ok",
              "accept() on a socket that never listened fails: it is active", claim="SEED-11")
    expect.ne("connect_on_passive_fails", run["connect_on_passive"], "ok",
              "connect() on a listening socket fails: it is passive", claim="SEED-11")
    expect.eq("accept_socket_never_listened_fails", run["accept_on_active"], "EINVAL",
              "accept() on a socket that never listened fails with EINVAL")
    expect.eq("connect_listening_socket_fails_eisconn", run["connect_on_passive"], "EISCONN",
              "connect() on a listening socket fails with EISCONN")
    expect.eq("udp_socket_cannot_listen", run["listen_on_udp"], "EOPNOTSUPP", "a UDP socket cannot listen()")
    expect.eq("nor_accept", run["accept_on_udp"], "EOPNOTSUPP", "nor accept()")
    expect.eq("new_socket_connect_s_active", run["connect_on_new"], "ok",
              "a new socket connect()s at once: it is active", claim="SEED-11")
    expect.eq("connect_call_eisconn", run.call("connect", "app", 0)["errno_name"], "EISCONN",
              "the recorded connect() on the listening socket returned EISCONN")

    passive = flow.Endpoint.parse(run["passive_addr"])
    expect.true("listening_socket_sent_nothing", not [s for s in run.segments() if s.src == passive],
                "the listening socket sent nothing")
    checks.three_way_handshake(run.connection(), expect)


@pytest.mark.behaviour("socket_active_by_default")
@pytest.mark.control("listen() skipped on the socket that then calls connect()")
def test_socket_active_by_default_no_listen_control(probe, family, expect):
    """'connect() on a passive socket fails' flips when the socket never became
    passive: bound only, its connect() succeeds and its SYN crosses."""
    run = probe("--no-listen")
    expect.eq("connect_on_passive", run["connect_on_passive"], "ok", "connect() on the socket that never listened succeeds")
    conn = run.connection(run["passive_addr"], run["server_addr"])
    checks.three_way_handshake(conn, expect)
