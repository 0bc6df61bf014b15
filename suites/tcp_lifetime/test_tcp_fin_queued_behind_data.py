"""A FIN is sent after all the data queued before it (RFC 9293 §3.10.4 CLOSE:
"queue this until all preceding SENDs have been segmentized"; net/ipv4/tcp_output.c
tcp_send_fin() sets FIN on the last unsent segment)."""
import pytest

from sockspec.checks.tcp_lifetime import fins_from


def data_end(conn):
    return max((conn.rel_seq(s) + s.length for s in conn.segments if conn.from_client(s) and s.length), default=1)


@pytest.mark.behaviour("tcp_fin_queued_behind_data")
def test_tcp_fin_queued_behind_data(probe, family, expect):
    run = probe()
    expect.eq("fin_wait_1_at_shutdown", run["state_after_shutdown"], "FIN-WAIT-1",
              "after shutdown(SHUT_WR) the client's end is in FIN-WAIT-1")
    expect.gt("data_still_queued", run["client_outq_after_shutdown"], 0, "data still waits in the client's send buffer")
    expect.eq("peer_reads_all_then_eof", [run["server_read"], run["server_last_read"]], [run["accepted"], "0"],
              "the peer reads every byte, then end of file")
    expect.true("client_reaches_fin_wait_2", run["client_fin_wait_2"], "the FIN is acknowledged in the end")
    conn = run.connection()
    fins = fins_from(conn)
    if not expect.true("client_sends_fin", bool(fins), "the client's FIN crosses"):
        return
    first_read = run.call("recv", "server")
    expect.true("fin_crosses_after_peer_reads", fins[0].t_ns > first_read["t_real_ns"],
                "the FIN crosses only after the peer began reading (it waited behind the data)")
    expect.eq("fin_follows_last_byte", conn.rel_seq(fins[0]) + fins[0].length - data_end(conn), 0,
              "the FIN's sequence number follows the last data byte (no gap, nothing after it)")


@pytest.mark.behaviour("tcp_fin_queued_behind_data")
@pytest.mark.control("only 100 bytes, which the window takes at once")
def test_tcp_fin_queued_behind_data_fits_window_control(probe, family, expect):
    """With nothing held back the FIN crosses at shutdown(), before the peer reads."""
    run = probe("--bytes", 100)
    fins = fins_from(run.connection())
    first_read = run.call("recv", "server")
    expect.true("fin_crosses_before_peer_reads", bool(fins) and fins[0].t_ns < first_read["t_real_ns"],
                "with nothing held back the FIN crosses before the peer reads")
