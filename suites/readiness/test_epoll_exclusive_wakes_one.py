"""EPOLLEXCLUSIVE: "one or more of the epoll file descriptors will receive an
event with epoll_wait(2)", avoiding the thundering herd (epoll_ctl(2));
fs/eventpoll.c ep_poll_callback() ends an exclusive wake-up at the first
instance with a waiter."""
import pytest


@pytest.mark.behaviour("epoll_exclusive_wakes_one")
def test_epoll_exclusive_wakes_one(probe, family, expect):
    run = probe("--waiters", 4)
    expect.true("all_waiters_asleep", run["all_waiting"],
                "every waiter sleeps in epoll_wait() before the client connects")
    expect.eq("exclusive_wakes_one", run["woken"], 1, "one connection wakes one of the four exclusive waiters")
    expect.eq("connection_still_queued", run["listener_readable_after"], "POLLIN",
              "the connection is still queued: no waiter accepted it")


@pytest.mark.behaviour("epoll_exclusive_wakes_one")
@pytest.mark.control("registrations without EPOLLEXCLUSIVE")
def test_epoll_exclusive_wakes_one_herd_control(probe, family, expect):
    """Without EPOLLEXCLUSIVE the herd wakes: every instance reports the connection."""
    run = probe("--waiters", 4, "--no-exclusive")
    expect.true("all_waiters_asleep", run["all_waiting"], "every waiter sleeps in epoll_wait() before the client connects")
    expect.eq("herd_wakes_all", run["woken"], 4, "without EPOLLEXCLUSIVE all four waiters wake")
