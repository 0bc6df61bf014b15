"""The receiver's window update (RFC 9293 §3.8.6.2.2; net/ipv4/tcp.c
tcp_cleanup_rbuf(): after a read that opens the window by enough, an ACK
goes at once): the kernel announces the reopened window without being asked."""
import pytest


def closed_window(run, expect):
    expect.true("window_closes", run["window_closed"], "the kernel's ACKs advertise window 0 once its small buffer is full")


@pytest.mark.behaviour("tcp_window_update_after_read")
def test_tcp_window_update_after_read(probe, family, expect):
    run = probe()
    closed_window(run, expect)
    expect.eq("read_drains_buffer", run["server_read"], str(run["bytes_until_zero_window"]),
              "the server's read returns everything the peer sent")
    update = run["next_window"]
    expect.that("read_sends_window_update", isinstance(update, int) and update > 0,
                "the read makes the kernel send an ACK advertising an open window", seen=update, expected="a window above 0")


@pytest.mark.behaviour("tcp_window_update_after_read")
@pytest.mark.control("the server does not read")
def test_tcp_window_update_after_read_no_read_control(probe, family, expect):
    run = probe("--no-read")
    closed_window(run, expect)
    expect.eq("no_update_without_read", run["next_window"], "none", "without a read the kernel sends nothing within 1 s")
