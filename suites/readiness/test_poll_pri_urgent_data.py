"""POLLPRI: "there is some exceptional condition on the file descriptor ...
out-of-band data on a TCP socket" (poll(2)); net/ipv4/tcp.c tcp_poll() sets
it while tp->urg_data is TCP_URG_VALID."""
import pytest


@pytest.mark.behaviour("poll_pri_urgent_data")
def test_poll_pri_urgent_data(probe, family, expect):
    run = probe()
    expect.eq("poll_pri_with_urgent", run["poll_after_send"], "POLLIN|POLLPRI",
              "with urgent data pending poll() reports POLLPRI beside POLLIN")
    expect.eq("epoll_pri_with_urgent", run["epoll_after_send"], "EPOLLIN|EPOLLPRI",
              "epoll_wait() reports EPOLLPRI beside EPOLLIN")
    expect.eq("oob_read_urgent_byte", [run["oob_read"], run["oob_byte"]], ["1", "b"],
              "recv(MSG_OOB) returns the urgent byte, the last one sent")
    expect.eq("pri_cleared_after_oob_read", run["poll_after_oob_read"], "POLLIN",
              "once the urgent byte is read POLLPRI is gone; POLLIN stays for the ordinary byte")


@pytest.mark.behaviour("poll_pri_urgent_data")
@pytest.mark.control("the same bytes sent without MSG_OOB")
def test_poll_pri_urgent_data_no_oob_control(probe, family, expect):
    run = probe("--no-oob")
    expect.eq("no_pri_ordinary_data", run["poll_after_send"], "POLLIN", "ordinary data polls POLLIN without POLLPRI")
