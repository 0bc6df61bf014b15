"""TCP_NOTSENT_LOWAT (tcp(7); ip-sysctl.rst tcp_notsent_lowat; tcp_poll, tcp_stream_memory_free)."""
import pytest


@pytest.mark.behaviour("tcp_notsent_lowat_pollout")
def test_tcp_notsent_lowat_pollout(probe, family, expect):
    run = probe("--lowat", 2000)
    below, between, above = run["corked"]
    expect.eq("unsent_counts", [below["unsent"], between["unsent"], above["unsent"]], [500, 1500, 3000],
              "corked, the writes wait unsent: 500, 1500, then 3000 bytes")
    expect.eq("pollout_well_below_lowat", below["poll"], "POLLOUT", "with 500 unsent bytes, under the mark of 2000: POLLOUT")
    expect.eq("no_pollout_above_lowat", above["poll"], "0",
              "with 3000 unsent bytes, over the mark: no POLLOUT, though the send buffer has room")
    expect.eq("no_pollout_above_half_lowat", between["poll"], "0",
              "with 1500 unsent bytes, under the mark but over half of it: no POLLOUT (tcp_poll wants unsent bytes under half the mark)")
    expect.eq("pollout_once_sent", run["poll_after_uncork"], "POLLOUT", "uncorked and sent, the socket is writable again")
    expect.eq("nothing_unsent_end", run["unsent_after_uncork"], 0, "with nothing unsent")


@pytest.mark.behaviour("tcp_notsent_lowat_pollout")
@pytest.mark.control("TCP_NOTSENT_LOWAT not set")
def test_tcp_notsent_lowat_pollout_unset_control(probe, family, expect):
    """Without the mark, 3000 unsent bytes leave the socket writable."""
    run = probe("--lowat", 0)
    expect.eq("pollout_with_unsent_bytes", run["corked"][2]["poll"], "POLLOUT",
              "with 3000 unsent bytes and room in the send buffer: POLLOUT")
