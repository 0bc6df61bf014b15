"""RFC 7323 §2.3: "If a Window Scale option is received with a shift.cnt
value larger than 14, the TCP SHOULD log the error but MUST use 14 instead of
the specified value" (net/ipv4/tcp_input.c tcp_parse_options(): "Illegal
window scaling value ... > 14 received", TCP_MAX_WSCALE)."""
import pytest


@pytest.mark.behaviour("tcp_synack_wscale_clamped")
def test_tcp_synack_wscale_clamped(probe, family, expect):
    run = probe()
    expect.eq("wscale_15_used_as_14", run["snd_wscale"], 14,
              "a window scale of 15 in the SYN+ACK is used as 14 (TCP_INFO snd_wscale)")
    expect.eq("window_shifted_by_14", run["snd_wnd"], 1024 << 14,
              "the peer's window field 1024 is taken as 1024 << 14 bytes")


@pytest.mark.behaviour("tcp_synack_wscale_clamped")
@pytest.mark.control("the SYN+ACK offers window scale 7")
def test_tcp_synack_wscale_clamped_wscale_7_control(probe, family, expect):
    run = probe("--wscale", "7")
    expect.eq("wscale_7_used", run["snd_wscale"], 7, "a window scale of 7 is used as offered")
    expect.eq("window_shifted_by_7", run["snd_wnd"], 1024 << 7,
              "the peer's window field 1024 is taken as 1024 << 7 bytes")
