"""EPOLLONESHOT: "after an event notification, the file descriptor is disabled
... the user must call epoll_ctl() with EPOLL_CTL_MOD to rearm" (epoll_ctl(2);
fs/eventpoll.c ep_send_events() clears the item's events)."""
import pytest


@pytest.mark.behaviour("epoll_oneshot_rearm")
def test_epoll_oneshot_rearm(probe, family, expect):
    run = probe()
    expect.eq("first_event", run["first_event"], "EPOLLIN", "the first byte is reported")
    expect.eq("data_waits", run["unread_before_rearm"], 1, "the second byte waits unread")
    expect.eq("oneshot_disabled_after_event", run["event_before_rearm"], "0",
              "after one event the one-shot registration reports nothing, though data waits")
    expect.eq("still_registered", run["add_again"], "EEXIST",
              "the disabled socket is still registered: EPOLL_CTL_ADD fails with EEXIST")
    expect.eq("mod_rearms", run["event_after_rearm"], "EPOLLIN", "EPOLL_CTL_MOD re-arms it: the waiting byte is reported")


@pytest.mark.behaviour("epoll_oneshot_rearm")
@pytest.mark.control("registration without EPOLLONESHOT")
def test_epoll_oneshot_rearm_no_oneshot_control(probe, family, expect):
    run = probe("--no-oneshot")
    expect.eq("without_oneshot_reported", run["event_before_rearm"], "EPOLLIN",
              "without EPOLLONESHOT the waiting byte is reported with no re-arm")
