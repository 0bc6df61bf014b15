"""POLLRDHUP (EPOLLRDHUP): "stream socket peer closed connection, or shut down
writing half of connection" (poll(2), epoll_ctl(2)); net/ipv4/tcp.c tcp_poll()
adds POLLHUP only when both directions are shut."""
import pytest


@pytest.mark.behaviour("poll_rdhup_after_half_close")
def test_poll_rdhup_after_half_close(probe, family, expect):
    run = probe()
    expect.eq("writable_before", run["poll_before"], "POLLOUT", "before the FIN the socket is only writable")
    expect.eq("poll_rdhup_after_fin", run["poll_after_fin"], "POLLIN|POLLOUT|POLLRDHUP",
              "after the peer's FIN poll() reports POLLIN|POLLRDHUP, still POLLOUT, no POLLHUP")
    expect.eq("epoll_rdhup_after_fin", run["epoll_after_fin"], "EPOLLIN|EPOLLOUT|EPOLLRDHUP",
              "epoll_wait() reports EPOLLIN|EPOLLRDHUP and EPOLLOUT after the peer's FIN")
    expect.eq("read_returns_eof", run["server_read"], "0", "the read returns end of file")
    expect.eq("rdhup_stays_after_eof", run["poll_after_eof_read"], "POLLIN|POLLOUT|POLLRDHUP",
              "after reading end of file the socket still polls POLLIN|POLLRDHUP")
    expect.eq("pollhup_both_shut", run["poll_both_shut"], "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
              "once the socket has shut its own writing half too, poll() adds POLLHUP")
    expect.eq("epollhup_both_shut", run["epoll_both_shut"], "EPOLLIN|EPOLLOUT|EPOLLHUP|EPOLLRDHUP",
              "epoll_wait() adds EPOLLHUP once both directions are shut")


@pytest.mark.behaviour("poll_rdhup_after_half_close")
@pytest.mark.control("the peer sends a byte instead of its FIN")
def test_poll_rdhup_after_half_close_data_control(probe, family, expect):
    """Data makes the socket readable, but without POLLRDHUP."""
    run = probe("--send-instead")
    expect.eq("poll_readable_no_rdhup", run["poll_after_fin"], "POLLIN|POLLOUT",
              "data alone makes the socket readable without POLLRDHUP")
    expect.eq("epoll_readable_no_rdhup", run["epoll_after_fin"], "EPOLLIN|EPOLLOUT",
              "epoll_wait() reports EPOLLIN without EPOLLRDHUP for data alone")
