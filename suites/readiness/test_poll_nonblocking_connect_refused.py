"""connect(2) EINPROGRESS: "select(2) or poll(2) for completion by selecting
the socket for writing ... use getsockopt(2) to read the SO_ERROR option";
net/ipv4/tcp.c tcp_poll() reports a closed socket's error and hang-up."""
import pytest


@pytest.mark.behaviour("poll_nonblocking_connect_refused")
def test_poll_nonblocking_connect_refused(probe, family, expect):
    run = probe()
    expect.eq("connect_in_progress", run["connect"], "EINPROGRESS", "the non-blocking connect() is in progress")
    expect.eq("refused_polls_err_hup", run["poll_outcome"], "POLLOUT|POLLERR|POLLHUP",
              "a refused attempt polls POLLOUT with POLLERR|POLLHUP")
    expect.eq("so_error_refused", run["so_error"], "ECONNREFUSED", "SO_ERROR says ECONNREFUSED")
    expect.eq("so_error_cleared", run["so_error_again"], "0", "reading SO_ERROR clears it")
    conn = run.connection()
    expect.eq("peer_resets", [s.label for s in conn.segments], ["SYN", "RST+ACK"],
              "the SYN is answered by RST+ACK from the closed port")


@pytest.mark.behaviour("poll_nonblocking_connect_refused")
@pytest.mark.control("the port listens")
def test_poll_nonblocking_connect_refused_listening_control(probe, family, expect):
    run = probe("--listen")
    expect.eq("connected_polls_pollout", run["poll_outcome"], "POLLOUT", "a completed connection polls POLLOUT alone")
    expect.eq("so_error_none", run["so_error"], "0", "SO_ERROR is 0 after a completed connection")
