import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_half_close")
def test_tcp_half_close(probe, family, expect):
    run = probe("--passive-close", "delayed", "--replies", 2)
    expect.eq("peer_reads_eof", run["server_read_after_fin"], 0, "the peer reads EOF after the FIN", claim="SEED-3")
    expect.true("closes_after_ack_of_fin", run["fin_acked_before_close"],
                "the server close()s only after its kernel acknowledged the FIN (the client is in FIN-WAIT-2)")
    expect.ne("server_sent_data", run["server_sent"], "", "the peer sends data after reading EOF", claim="SEED-3")
    expect.eq("closer_still_receives", run["client_received_after_shutdown"], run["server_sent"],
              "the side that sent FIN still receives what the peer sends after it", claim="SEED-3")
    expect.eq("send_after_shut_wr_epipe", run["client_send_after_shutdown"], "EPIPE",
              "writing after SHUT_WR fails with EPIPE", source="shutdown(2)")
    expect.eq("closer_reads_eof_at_end", run["client_read_after_server_close"], 0,
              "the closer reads EOF once the peer closes")

    conn = run.connection()
    fin_index = conn.first(lambda s: s.has("FIN"))
    if not expect.true("first_fin_on_wire", fin_index is not None, "a FIN crosses"):
        return
    fin = conn.segments[fin_index]
    expect.eq("client_fin_first", [conn.from_client(fin), fin.length], [True, 0],
              "the client's shutdown(SHUT_WR) sends the first FIN, without data")
    data_from_server = [s for s in conn.segments[fin_index + 1:] if not conn.from_client(s) and s.length > 0]
    expect.eq("data_after_fin", sum(s.length for s in data_from_server), len(run["server_sent"]),
              "the server's data crosses after the client's FIN", claim="SEED-3")

    t = checks.four_segment_teardown(conn, expect, claim="SEED-2")
    if t is not None and t["ack_of_fin"] is not None and data_from_server:
        expect.lt("fin_acked_before_data", t["ack_of_fin"].t_ns, data_from_server[0].t_ns,
                  "the FIN is acknowledged before the data is sent", claim="SEED-2")


@pytest.mark.behaviour("tcp_half_close")
def test_tcp_half_close_immediate_passive_close(probe, family, expect):
    """The server close()s as soon as the client's shutdown() has returned,
    before its delayed ACK of the FIN is due (TCP_ATO_MIN after the FIN: the
    server has received data), so the ACK rides on its FIN: three segments,
    which the seed's four do not foresee."""
    run = probe("--passive-close", "immediate")
    expect.eq("close_before_delayed_ack", run["delayed_acks_before_close"][-1], 0,
              "the judged attempt's close() came before the delayed-ACK timer (TcpExt DelayedACKs unchanged)")
    t = checks.teardown(run.connection(), expect)
    if t is None:
        return
    expect.eq("ack_folded_into_fin", t["picture"], ["c>FIN+ACK", "s>FIN+ACK", "c>ACK"],
              "a close() before the delayed ACK is due folds the ACK into the FIN: three segments",
              refutes="SEED-2")
