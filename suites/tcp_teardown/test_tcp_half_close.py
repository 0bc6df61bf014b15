"""SEED-2, SEED-3: half-close (RFC 9293 §3.6, shutdown(2)) and the segments of a teardown."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_half_close")
def test_tcp_half_close(probe, family, claims):
    run = probe("--passive-close", "delayed", "--replies", 2)
    assert run["server_read_after_fin"] == 0, "the peer reads EOF after the FIN"
    assert run["client_received_after_shutdown"] == run["server_sent"] != "", \
        "the side that sent FIN still receives what the peer sends after it"
    assert run["client_send_after_shutdown"] == "EPIPE", "writing after SHUT_WR fails with EPIPE"
    assert run["client_read_after_server_close"] == 0

    conn = run.connection()
    fin_index = conn.first(lambda s: s.has("FIN"))
    fin = conn.segments[fin_index]
    assert conn.from_client(fin) and fin.length == 0, "the client's shutdown(SHUT_WR) sends the first FIN"
    after = conn.segments[fin_index + 1:]
    data_from_server = [s for s in after if not conn.from_client(s) and s.length > 0]
    assert sum(s.length for s in data_from_server) == len(run["server_sent"]), \
        "the server's data crosses after the client's FIN"

    t = checks.four_segment_teardown(conn)
    assert t["ack_of_fin"].t_ns < data_from_server[0].t_ns, "the FIN is acknowledged before the data is sent"
    claims.verdict("SEED-2", "holds",
                   "when the passive side keeps sending before it closes: FIN, ACK (sent by the kernel on its "
                   "own when the delayed-ACK timer fired), data, FIN, ACK")
    claims.verdict("SEED-3", "holds", "after shutdown(SHUT_WR) the peer read EOF, sent "
                                      f"{len(run['server_sent'])} bytes, and the closer read them all")


@pytest.mark.behaviour("tcp_half_close")
def test_tcp_half_close_immediate_passive_close(probe, family, claims):
    run = probe("--passive-close", "immediate")
    assert run["server_read_after_fin"] == 0
    conn = run.connection()
    t = checks.teardown(conn)
    if t["count"] == 4:
        # The passive side's delayed-ACK timer fired before close() ran (a slow
        # or emulated machine; the probe's fin_acked_before_close may still read
        # False when the ACK was in flight): then it is the four segments.
        checks.four_segment_teardown(conn)
        return
    assert t["picture"] == ["c>FIN+ACK", "s>FIN+ACK", "c>ACK"], \
        f"a close() before the delayed ACK is due folds the ACK into the FIN: {t['picture']}"
    claims.verdict("SEED-2", "partly",
                   "when the passive side closes at once, before its delayed ACK is due, Linux folds the ACK "
                   "into its own FIN: FIN, FIN+ACK, ACK, three segments")
