"""shutdown(SHUT_RDWR) (shutdown(2); RFC 9293 §3.6; net/ipv4/tcp.c tcp_shutdown()
sends FIN for SEND_SHUTDOWN; the file stays open until close())."""
import pytest


def client_fins(conn):
    return [s for s in conn.segments if conn.from_client(s) and s.has("FIN")]


@pytest.mark.behaviour("tcp_shutdown_rdwr")
def test_tcp_shutdown_rdwr(probe, family, expect):
    run = probe("--how", "rdwr")
    expect.eq("peer_reads_eof_fin_sent", run["server_read"], "0", "the peer reads EOF: a FIN was sent")
    expect.eq("client_state", run["client_state"], "FIN-WAIT-2", "the client is in FIN-WAIT-2")
    expect.eq("reads_return_0", run["client_read"], "0", "reads return 0")
    expect.eq("writes_fail_epipe", run["client_write"], "EPIPE", "writes fail with EPIPE")
    expect.true("descriptor_valid", bool(run["getsockopt_so_type"] == "0" and run["getpeername"] == "0"),
                "the descriptor is still valid")
    expect.eq("socket_exists_close", run["client_end"], "FIN-WAIT-2", "the socket still exists before close()")
    expect.true("close_releases_descriptor", bool(run["close"] == "0" and run["close_again"] == "EBADF"),
                "close() releases the descriptor")

    conn = run.connection()
    shutdown = run.call("shutdown", side="client")
    close = run.calls("close", side="client")[-2]
    fins = client_fins(conn)
    # A FIN sent again because a loaded machine's ACK came after the RTO is
    # the same FIN: it is counted by its sequence number, not by segments.
    expect.eq("fin_client", len({s.seq for s in fins}), 1, "one FIN from the client")
    expect.true("fin_sent_shutdown_close", shutdown["t_real_ns"] <= fins[0].t_ns <= close["t_real_ns"],
                "the FIN is sent by shutdown(), before close()")
    expect.true("failed_write_sent_nothing", not any(conn.from_client(s) and s.length > 0 for s in conn.segments),
                "the failed write sent nothing")
    expect.true("no_rst", not any(s.has("RST") for s in conn.segments),
                "no RST crosses")


@pytest.mark.behaviour("tcp_shutdown_rdwr")
@pytest.mark.control("SHUT_RD instead of SHUT_RDWR")
def test_tcp_shutdown_rdwr_rd_only_control(probe, family, expect):
    run = probe("--how", "rd")
    expect.true("client_state_established_client_read", bool(run["client_state"] == "ESTABLISHED" and run["client_read"] == "0"),
                "the client is ESTABLISHED and reads EOF")
    expect.eq("without_shut_wr_writing_works", run["client_write"], str(len("after shutdown\n")),
              "without SHUT_WR writing still works")
    conn = run.connection()
    close = run.calls("close", side="client")[-2]
    expect.true("no_fin_close", bool(all(f.t_ns >= close["t_real_ns"] for f in client_fins(conn))),
                "no FIN before close()")
