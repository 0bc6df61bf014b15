"""Edge-triggered epoll reports a change, not a level (epoll(7) "Level-triggered
and edge-triggered"); on Linux every arriving segment is such a change
(net/core/sock.c sock_def_readable(), fs/eventpoll.c ep_poll_callback())."""
import pytest


@pytest.mark.behaviour("epoll_edge_triggered_second_write")
def test_epoll_edge_triggered_second_write(probe, family, expect):
    run = probe()
    expect.eq("first_write_wakes", run["first_write_wakes"], "EPOLLIN", "the first byte's arrival reports EPOLLIN")
    expect.eq("edge_no_event_without_new_data", run["again_nothing_new"], "0",
              "edge-triggered, asking again with nothing new reports no event although data is unread")
    expect.eq("second_write_wakes_again", run["second_write_wakes"], "EPOLLIN",
              "a second arrival reports EPOLLIN again though the first byte was never read")
    expect.eq("both_bytes_unread", run["unread_at_second_wake"], 2, "both bytes wait unread at the second wake-up")


@pytest.mark.behaviour("epoll_edge_triggered_second_write")
@pytest.mark.control("level-triggered registration (no EPOLLET)")
def test_epoll_edge_triggered_second_write_level_control(probe, family, expect):
    """Level-triggered, unread data is reported on every ask."""
    run = probe("--level")
    expect.eq("level_reports_unread_data", run["again_nothing_new"], "EPOLLIN",
              "level-triggered, unread data is reported again with nothing new")
