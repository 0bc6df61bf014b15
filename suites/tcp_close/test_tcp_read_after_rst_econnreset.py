"""read() after an RST (recv(2) ECONNRESET; RFC 9293 §3.10.7.4; net/ipv4/tcp_input.c
tcp_reset() sets sk_err = ECONNRESET for an ESTABLISHED socket, reported once)."""
import pytest


@pytest.mark.behaviour("tcp_read_after_rst_econnreset")
def test_tcp_read_after_rst_econnreset(probe, family, expect):
    run = probe("--peer-close", "rst")
    expect.eq("clients_socket_reset", run["client_state"], "CLOSE", "the client's socket is reset")
    expect.eq("first_read_reports_reset", run["first_read"], "ECONNRESET", "the first read reports the reset")
    expect.true("error_reported_reads_return_0", bool(run["second_read"] == "0" and run["third_read"] == "0"),
                "the error is reported once; then reads return 0")
    expect.eq("writing_reset_socket_fails_epipe", run["write_after"], "EPIPE",
              "writing on a reset socket fails with EPIPE")
    conn = run.connection()
    expect.true("server_sent_rst", bool([s for s in conn.segments if not conn.from_client(s) and s.has("RST")]),
                "the server sent RST")
    expect.true("no_fin_crosses", not any(s.has("FIN") for s in conn.segments), "no FIN crosses")
    reads = run.calls("recv", side="client")
    expect.eq("errno_name_r_reads_econnreset", [r["errno_name"] for r in reads], ["ECONNRESET", None, None],
              "the first read after the RST gives ECONNRESET, the next ones EOF")


@pytest.mark.behaviour("tcp_read_after_rst_econnreset")
@pytest.mark.control("the peer closes with FIN instead of RST")
def test_tcp_read_after_rst_econnreset_fin_control(probe, family, expect):
    run = probe("--peer-close", "fin")
    expect.eq("client_state", run["client_state"], "CLOSE-WAIT", "the client is in CLOSE-WAIT")
    expect.eq("fin_read_gives_eof_not", run["first_read"], "0", "after a FIN the read gives EOF, not ECONNRESET")
    conn = run.connection()
    first = conn.first(lambda s: not conn.from_client(s) and (s.has("FIN") or s.has("RST")))
    expect.true("servers_close_sends_fin_rst", bool(first is not None and conn.segments[first].has("FIN") and not conn.segments[first].has("RST")),
                "the server's close() sends FIN (its RST comes only later, in answer to the client's write)")
