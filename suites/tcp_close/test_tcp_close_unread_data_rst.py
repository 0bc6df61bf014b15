"""close() with unread received data sends RST, not FIN (RFC 2525 §2.17;
net/ipv4/tcp.c __tcp_close(): "As outlined in RFC 2525, section 2.17, we send a
RST here because data was lost")."""
import pytest


def server_segments(conn):
    return [s for s in conn.segments if not conn.from_client(s)]


@pytest.mark.behaviour("tcp_close_unread_data_rst")
def test_tcp_close_unread_data_rst(probe, family, expect):
    run = probe()
    expect.gt("request_queued_unread_server_closed", run["server_unread_at_close"], 0,
              "the request was queued, unread, when the server closed")
    expect.eq("close_itself_succeeds", run["server_close"], "0", "close() itself succeeds")
    expect.eq("clients_socket_reset", run["client_state"], "CLOSE", "the client's socket is reset")
    expect.eq("clients_read_reports_reset", run["client_read"], "ECONNRESET", "the client's read reports the reset")
    expect.eq("reset_reported_later_reads_return", run["client_read_again"], "0",
              "the reset is reported once; later reads return 0")
    close = run.call("close", side="server", index=1)
    expect.eq("close_ret", close["ret"], 0, "close() succeeds")

    conn = run.connection()
    mine = server_segments(conn)
    expect.true("server_sends_no_fin", not any(s.has("FIN") for s in mine), "the server sends no FIN")
    rst = [s for s in mine if s.has("RST")]
    expect.eq("server_sends_rst", len(rst), 1, "the server sends one RST")
    expect.true("rst_sent_close", rst[0].t_ns >= close["t_real_ns"], "the RST is sent by close()")
    data = next(s for s in conn.segments if conn.from_client(s) and s.length > 0)
    expect.true("rst_acknowledges_discarded_data_received", bool("ACK" in rst[0].flags and rst[0].ack == (data.seq + data.length) % 2**32),
                "the RST acknowledges the discarded data (it was received, then thrown away)")


@pytest.mark.behaviour("tcp_close_unread_data_rst")
@pytest.mark.control("the server reads the request before close()")
def test_tcp_close_unread_data_rst_read_first_control(probe, family, expect):
    run = probe("--read-first")
    expect.eq("server_unread_at_close", run["server_unread_at_close"], 0, "no data is unread at close()")
    expect.true("orderly_close_client_reads_eof", bool(run["client_state"] == "CLOSE-WAIT" and run["client_read"] == "0"),
                "an orderly close: the client reads EOF")
    mine = server_segments(run.connection())
    expect.true("fin_not_rst", bool(any(s.has("FIN") for s in mine) and not any(s.has("RST") for s in mine)),
                "FIN, not RST")
