"""Writing after the peer closed (send(2) EPIPE and SIGPIPE; RFC 9293 §3.10.7.4;
net/ipv4/tcp_input.c tcp_reset(): a CLOSE-WAIT socket that is reset records
EPIPE)."""
import pytest


def check_wire(run, expect):
    conn = run.connection()
    server_fin = conn.first(lambda s: not conn.from_client(s) and s.has("FIN"))
    expect.true("servers_close_sends_fin", server_fin is not None, "the server's close() sends FIN")
    data_i = conn.first(lambda s: conn.from_client(s) and s.length > 0, server_fin)
    expect.true("clients_first_write_crosses_fin", data_i is not None,
                "the client's first write crosses after the FIN")
    expect.eq("first_write_on_wire", conn.segments[data_i].length, len("first write\n"),
              "the first write crosses whole")
    rst_i = conn.first(lambda s: not conn.from_client(s) and s.has("RST"), data_i)
    expect.true("closed_peer_answers_data_rst", rst_i is not None, "the closed peer answers the data with RST")
    later = [s for s in conn.segments[data_i + 1:] if conn.from_client(s) and s.length > 0]
    expect.true("failed_writes_send_nothing", not later, "the failed writes send nothing")


@pytest.mark.behaviour("tcp_write_after_peer_close")
def test_tcp_write_after_peer_close(probe, family, expect):
    run = probe()
    expect.eq("client_state_after_fin", run["client_state_after_fin"], "CLOSE-WAIT",
              "after the peer's FIN the client is in CLOSE-WAIT")
    expect.eq("first_write_fin_succeeds", run["first_write"], str(len("first write\n")),
              "the first write after the FIN succeeds")
    expect.eq("sigpipes_after_first", run["sigpipes_after_first"], 0, "the first write after the FIN raises no SIGPIPE")
    expect.eq("rst_drew_resets_socket", run["client_state_after_first"], "CLOSE", "the RST it drew resets the socket")
    expect.eq("next_write_fails_epipe_not", run["second_write"], "EPIPE",
              "the next write fails with EPIPE (not ECONNRESET: the socket was in CLOSE-WAIT)")
    expect.eq("raises_sigpipe", run["sigpipes_after_second"], 1, "and raises SIGPIPE")
    expect.true("later_write_does_same", bool(run["third_write"] == "EPIPE" and run["sigpipes_after_third"] == 2),
                "every later write does the same")
    expect.eq("read_reset_returns_0", run["read_after"], "0", "a read after the reset returns 0")
    check_wire(run, expect=expect)


@pytest.mark.behaviour("tcp_write_after_peer_close")
@pytest.mark.control("MSG_NOSIGNAL on every write")
def test_tcp_write_after_peer_close_nosignal_control(probe, family, expect):
    run = probe("--nosignal")
    expect.true("same_errors", bool(run["second_write"] == "EPIPE" and run["third_write"] == "EPIPE"),
                "the same errors")
    expect.eq("msg_nosignal_no_sigpipe", run["sigpipes_after_third"], 0, "MSG_NOSIGNAL: no SIGPIPE")
    check_wire(run, expect=expect)
