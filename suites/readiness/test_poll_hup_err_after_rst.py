"""A reset sets the socket's error and shuts both directions: POLLERR and
POLLHUP (poll(2); net/ipv4/tcp_input.c tcp_reset(), tcp_done();
net/ipv4/tcp.c tcp_poll())."""
import pytest


@pytest.mark.behaviour("poll_hup_err_after_rst")
def test_poll_hup_err_after_rst(probe, family, expect):
    run = probe()
    expect.eq("poll_err_hup_after_rst", run["poll_after_close"], "POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP",
              "after the peer's RST poll() reports POLLERR|POLLHUP with POLLIN|POLLOUT|POLLRDHUP")
    expect.eq("epoll_err_hup_after_rst", run["epoll_after_close"], "EPOLLIN|EPOLLOUT|EPOLLERR|EPOLLHUP|EPOLLRDHUP",
              "epoll_wait() reports EPOLLERR|EPOLLHUP (never requested: always reported) after the RST")
    expect.eq("so_error_reset", run["so_error"], "ECONNRESET", "SO_ERROR holds ECONNRESET")
    expect.eq("so_error_clears_pollerr", run["poll_after_so_error"], "POLLIN|POLLOUT|POLLHUP|POLLRDHUP",
              "reading SO_ERROR clears POLLERR; POLLHUP stays")


@pytest.mark.behaviour("poll_hup_err_after_rst")
@pytest.mark.control("the peer closes with a FIN instead of an RST")
def test_poll_hup_err_after_rst_fin_control(probe, family, expect):
    """An orderly close sets no error and leaves the socket's writing half open."""
    run = probe("--fin")
    expect.eq("poll_no_err_after_fin", run["poll_after_close"], "POLLIN|POLLOUT|POLLRDHUP",
              "after the peer's FIN poll() reports neither POLLERR nor POLLHUP")
    expect.eq("so_error_none_after_fin", run["so_error"], "0", "no error is pending after a FIN")
