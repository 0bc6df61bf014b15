"""MSG_MORE on TCP (send(2), tcp(7) TCP_CORK): the data waits for the next send()."""
import pytest

from sockspec.checks.tcp_data import new_data_segments


@pytest.mark.behaviour("tcp_msg_more_coalesces")
def test_tcp_msg_more_coalesces(probe, family, expect):
    run = probe("--first", 10, "--second", 20)
    held = run["tcp_info_after_first"]
    expect.eq("nothing_sent_after_msg_more", held["data_segs_out"], 0, "after send(MSG_MORE) nothing has been sent")
    expect.eq("first_part_unsent", held["notsent_bytes"], 10, "the 10 bytes wait in the send buffer")
    expect.eq("received", run["received"], 30, "all 30 bytes arrive")
    expect.eq("two_sends_one_segment", [s.length for s in new_data_segments(run.connection())], [30],
              "the two sends leave as one segment of 30 bytes")


@pytest.mark.behaviour("tcp_msg_more_coalesces")
@pytest.mark.control("the first send() without MSG_MORE")
def test_tcp_msg_more_coalesces_control(probe, family, expect):
    """Without MSG_MORE (TCP_NODELAY, autocorking off) each send() is its own segment."""
    run = probe("--first", 10, "--second", 20, "--no-more", sysctls={"net.ipv4.tcp_autocorking": 0})
    expect.eq("first_part_sent_at_once", run["tcp_info_after_first"]["data_segs_out"], 1, "the first send() leaves at once")
    expect.eq("segment_per_send", [s.length for s in new_data_segments(run.connection())], [10, 20],
              "each send() is its own segment")
