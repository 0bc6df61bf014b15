"""POLLNVAL: "invalid request: fd not open" (poll(2)), reported in revents
while poll() itself succeeds; epoll_ctl(2): EBADF "fd is not a valid file
descriptor" (fs/select.c do_pollfd(), fs/eventpoll.c)."""
import pytest


@pytest.mark.behaviour("poll_nval_closed_fd")
def test_poll_nval_closed_fd(probe, family, expect):
    run = probe()
    expect.eq("poll_counts_closed_fd", run["poll_return"], "1", "poll() succeeds and counts the closed descriptor")
    expect.eq("closed_fd_pollnval", run["poll_revents"], "POLLNVAL", "the closed descriptor's revents is POLLNVAL")
    expect.eq("epoll_add_closed_ebadf", run["epoll_add"], "EBADF", "epoll_ctl(ADD) of a closed descriptor fails with EBADF")


@pytest.mark.behaviour("poll_nval_closed_fd")
@pytest.mark.control("the descriptor is still open")
def test_poll_nval_closed_fd_open_control(probe, family, expect):
    run = probe("--keep-open")
    expect.eq("open_fd_writable", run["poll_revents"], "POLLOUT", "an open connected socket polls POLLOUT, no POLLNVAL")
    expect.eq("epoll_add_open_ok", run["epoll_add"], "ok", "epoll_ctl(ADD) of an open socket succeeds")
