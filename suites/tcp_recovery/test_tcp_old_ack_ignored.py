"""An old ACK (RFC 9293 §3.10.7.4: SEG.ACK < SND.UNA is a duplicate, ignored;
RFC 5961 §5.2 keeps it within the window; net/ipv4/tcp_input.c tcp_ack() goes
to old_ack without tcp_ack_update_window()): the window 0 it carries is not
taken, so the sender's next data still goes out."""
import pytest

NEW_DATA = {"seq": 2001, "len": 500}  # relative to the kernel's ISN


@pytest.mark.behaviour("tcp_old_ack_ignored")
def test_tcp_old_ack_ignored(probe, family, expect):
    run = probe()
    expect.gt("old_ack_window_ignored", run["server_snd_wnd"], 0,
              "the window 0 of an ACK below SND.UNA is not taken: the send window stays open")
    expect.eq("data_flows_after_old_ack", run["next_segment"], NEW_DATA,
              "the kernel sends its next data despite the old ACK's window 0")


@pytest.mark.behaviour("tcp_old_ack_ignored")
@pytest.mark.control("the window-0 segment acknowledges SND.UNA")
def test_tcp_old_ack_ignored_current_ack_control(probe, family, expect):
    run = probe("--current-ack")
    expect.eq("current_ack_closes_window", run["server_snd_wnd"], 0,
              "the window 0 of an ACK at SND.UNA is taken: the send window is closed")
    expect.eq("no_data_into_closed_window", run["next_segment"], "none",
              "with the window closed the kernel sends no data within 1 s")
