"""Zero-window probes against a peer whose window stays closed (RFC 9293
§3.8.6.1; net/ipv4/tcp_output.c tcp_write_wakeup(), tcp_xmit_probe_skb();
tcp_timer.c tcp_probe_timer()): each probe is an ACK without data carrying
SND.UNA - 1 (relative 0, the kernel's ISN), the interval between them doubles,
and the data goes as soon as the window opens."""
import pytest

from sockspec.checks.tcp_recovery import DOUBLING, doubling, interval_ratios
from sockspec.checks.tcp_unexpected import kernel_segments

WINDOW_PROBE = {"seq": 0, "len": 0}


def probe_times(run):
    conn = run.connection()
    return [s.t_ns for s in kernel_segments(conn) if conn.rel_seq(s) == 0 and not s.length and not s.has("SYN")]


@pytest.mark.behaviour("tcp_zero_window_probe_backoff")
def test_tcp_zero_window_probe_backoff(probe, family, expect):
    run = probe("--window", 0, "--probes", 3)
    expect.eq("probes_carry_old_sequence", run["probes"], [WINDOW_PROBE] * 3,
              "with the window closed the kernel sends probes without data at SND.UNA - 1")
    times = probe_times(run)
    expect.that("probes_back_off", len(times) == 3 and doubling(times),
                "each interval between zero-window probes is about twice the one before",
                seen=interval_ratios(times), expected=DOUBLING)
    expect.eq("data_after_window_opens", run["data_bytes"], 100, "the 100 bytes are sent once the window opens")


@pytest.mark.behaviour("tcp_zero_window_probe_backoff")
@pytest.mark.control("the peer's window stays open (65535)")
def test_tcp_zero_window_probe_backoff_open_control(probe, family, expect):
    run = probe("--window", 65535, "--probes", 3)
    expect.eq("open_window_data_at_once", run["probes"], [{"seq": 1, "len": 100}],
              "with the window open the kernel's first segment is the data itself, not a probe")
    expect.eq("no_window_probes_wire", probe_times(run), [], "the capture shows no zero-window probe")
