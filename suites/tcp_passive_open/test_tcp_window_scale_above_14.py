"""RFC 7323 §2.3: a window scale option above 14 is treated as 14 (net/ipv4/
tcp_input.c tcp_parse_options(): "Illegal window scaling value", clamped to
TCP_MAX_WSCALE)."""
import pytest


@pytest.mark.behaviour("tcp_window_scale_above_14")
def test_tcp_window_scale_above_14(probe, family, expect):
    run = probe()
    expect.eq("synack_answers_wscale", run["synack_has_wscale"], True,
              "the SYN+ACK to a SYN with window scale 15 carries the kernel's own window scale")
    expect.eq("scale_15_used_as_14", run["server_snd_wscale"], 14,
              "the kernel shifts the peer's windows by 14, not the 15 the peer offered")


@pytest.mark.behaviour("tcp_window_scale_above_14")
@pytest.mark.control("the SYN offers window scale 7")
def test_tcp_window_scale_above_14_scale_7_control(probe, family, expect):
    run = probe("--wscale", "7")
    expect.eq("scale_7_used_as_7", run["server_snd_wscale"], 7,
              "a window scale of 7 is used as offered, not clamped")
