"""epoll(7) Q6: "closing a file descriptor cause[s] it to be removed from all
epoll interest lists" only when all descriptors of the open file are closed
(fs/eventpoll.c eventpoll_release() runs when the file's last reference goes)."""
import pytest


@pytest.mark.behaviour("epoll_registration_outlives_fd")
def test_epoll_registration_outlives_fd(probe, family, expect):
    run = probe()
    expect.eq("closed_descriptor_still_reports", run["event_after_close"], "EPOLLIN",
              "with a dup() alive, data on the socket is reported for the closed descriptor's registration")
    expect.eq("del_by_closed_number_ebadf", run["del_closed_number"], "EBADF",
              "EPOLL_CTL_DEL with the closed number fails with EBADF: the registration cannot be removed by it")


@pytest.mark.behaviour("epoll_registration_outlives_fd")
@pytest.mark.control("no dup(): the last descriptor is closed")
def test_epoll_registration_outlives_fd_no_dup_control(probe, family, expect):
    run = probe("--no-dup")
    expect.eq("last_close_removes_registration", run["event_after_close"], "0",
              "closing the file's last descriptor removes it from the interest list: no event")
