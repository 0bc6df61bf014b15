"""SO_LINGER with a timeout makes close() wait until the queued data is sent
and acknowledged (socket(7) SO_LINGER; net/ipv4/tcp.c __tcp_close() calls
sk_stream_wait_close())."""
import pytest

from sockspec.checks.tcp_lifetime import ack_of_fin, fins_from


@pytest.mark.behaviour("tcp_linger_close_waits_for_ack")
def test_tcp_linger_close_waits_for_ack(probe, family, expect):
    run = probe()
    expect.eq("close_succeeds", run["close"], "ok", "close() with SO_LINGER returns success once all is acknowledged")
    expect.eq("peer_reads_everything", run["server_read"], run["accepted"], "the peer reads every byte send() accepted")
    close = run.call("close", "client")
    first_read = run.call("recv", "server")
    expect.true("close_returns_after_peer_reads", close["end_real_ns"] > first_read["t_real_ns"],
                "the lingering close() returns only after the peer began reading")
    conn = run.connection()
    fins = fins_from(conn)
    if not expect.true("client_sends_fin", bool(fins), "the client's FIN crosses"):
        return
    ack = ack_of_fin(conn, fins[-1])
    expect.true("close_returns_after_fin_acked", ack is not None and close["end_real_ns"] >= ack.t_ns,
                "close() returns after the peer acknowledged the FIN")


@pytest.mark.behaviour("tcp_linger_close_waits_for_ack")
@pytest.mark.control("no SO_LINGER on the closer")
def test_tcp_linger_close_waits_for_ack_no_linger_control(probe, family, expect):
    """Without SO_LINGER the same close() returns at once, before the peer reads."""
    run = probe("--no-linger")
    close = run.call("close", "client")
    first_read = run.call("recv", "server")
    expect.true("close_returns_before_peer_reads", close["end_real_ns"] < first_read["t_real_ns"],
                "without SO_LINGER close() returns before the peer began reading")
    expect.eq("peer_reads_everything", run["server_read"], run["accepted"], "the peer reads every byte send() accepted")
