"""SIOCOUTQNSD (tcp(7) ioctls): the bytes in the send queue not yet sent."""
import pytest

from sockspec.checks.tcp_data import new_data_segments


@pytest.mark.behaviour("tcp_siocoutqnsd_unsent_bytes")
def test_tcp_siocoutqnsd_unsent_bytes(probe, family, expect):
    run = probe("--bytes", 100)
    expect.eq("corked_bytes_unsent", run["outq_not_sent_after_send"], 100, "corked, the 100 bytes count in SIOCOUTQNSD")
    expect.eq("unsent_also_unacked", run["outq_after_send"], 100, "and in SIOCOUTQ: unsent bytes are unacknowledged too")
    expect.eq("sent_bytes_leave_count", run["outq_not_sent_at_end"], 0, "sent and acknowledged, SIOCOUTQNSD says 0")
    expect.eq("acked_bytes_leave_outq", run["outq_at_end"], 0, "and SIOCOUTQ says 0")
    uncork = [c for c in run.calls("setsockopt", "client") if "TCP_CORK, [0]" in c["text"]][0]
    data = new_data_segments(run.connection())
    expect.eq("bytes_cross_once", [s.length for s in data], [100], "the 100 bytes cross in one segment")
    expect.true("only_after_uncork", bool(data) and data[0].t_ns > uncork["t_real_ns"],
                "and only after TCP_CORK is cleared: while SIOCOUTQNSD counted them they had not left")


@pytest.mark.behaviour("tcp_siocoutqnsd_unsent_bytes")
@pytest.mark.control("TCP_NODELAY instead of TCP_CORK")
def test_tcp_siocoutqnsd_unsent_bytes_nodelay_control(probe, family, expect):
    """Sent inside send(), the bytes are never counted as unsent."""
    run = probe("--bytes", 100, "--no-cork")
    expect.eq("sent_at_once_not_counted", run["outq_not_sent_after_send"], 0, "right after send() SIOCOUTQNSD says 0")
