"""A listening socket is readable when accept() would not block: a completed
connection is queued (accept(2), epoll(7); net/ipv4/inet_connection_sock.c
inet_csk_listen_poll())."""
import pytest


@pytest.mark.behaviour("epoll_listener_readable_queued")
def test_epoll_listener_readable_queued(probe, family, expect):
    run = probe()
    expect.eq("listener_idle_unreadable", run["epoll_before_connect"], "0",
              "a listener with an empty accept queue reports no event")
    expect.eq("listener_readable_queued", run["epoll_after_connect"], "EPOLLIN",
              "a completed connection in the accept queue makes the listener readable (EPOLLIN)")
    expect.eq("accept_drains_readiness", run["epoll_after_accept"], "0",
              "once accept() took the only connection the listener reports no event")


@pytest.mark.behaviour("epoll_listener_readable_queued")
@pytest.mark.control("TCP_DEFER_ACCEPT on the listener and a client that sends nothing")
def test_epoll_listener_readable_queued_defer_accept_control(probe, family, expect):
    """With TCP_DEFER_ACCEPT the handshake's ACK does not queue the connection."""
    run = probe("--defer-accept")
    expect.eq("deferred_listener_unreadable", run["epoll_after_connect"], "0",
              "with TCP_DEFER_ACCEPT and no data the listener stays unreadable after the client's handshake")
