"""TCP keep-alives (RFC 1122 §4.2.3.6, tcp(7); tcp_keepalive_timer in tcp_timer.c)."""
import pytest

from sockspec.targets import Fault

PORT = 40200
SILENT_PEER = Fault(f"tcp sport {PORT} tcp flags == ack", count=0)  # every pure ACK of the server
S = 1_000_000_000


def _keepalives(conn):
    """The client's empty ACKs one below the next sequence number: keep-alive probes."""
    return [s for s in conn.segments
            if conn.from_client(s) and s.flags_exactly("ACK") and s.length == 0 and conn.rel_seq(s) == 0]


@pytest.mark.behaviour("tcp_keepalive_probes")
def test_tcp_keepalive_probes(probe, family, expect):
    run = probe("--port", PORT, "--mode", "answered", "--keepidle", 1, "--keepintvl", 1, "--keepcnt", 2)
    in_time, sent = run["probes_sent_in_time"], run["keepalives_sent"]
    # A stack without the TCPKeepAlive counter leaves both unobservable: the wire below still shows the probes.
    expect.that("idle_connection_probed", in_time is True and sent >= 2, "the idle connection is probed",
                seen={"probes_sent_in_time": in_time, "keepalives_sent": sent},
                expected="TCPKeepAlive grew by 2 within TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL")
    expect.eq("answered_probes_keep_connection_up", run["client_tcp_info"]["state"], "ESTABLISHED",
              "answered probes keep the connection up")

    conn = run.connection()
    probes = _keepalives(conn)
    expect.ge("keep_alive_probes_wire_empty", len(probes), 2,
              "keep-alive probes on the wire: empty ACKs with seq = snd_nxt - 1")
    if not probes:
        return  # the check above failed: no probe to time or answer
    last_handshake = conn.segments[2].t_ns
    expect.true("first_probe_comes_only_tcp", probes[0].t_ns - last_handshake >= 0.9 * S,
                "the first probe comes only after TCP_KEEPIDLE of silence")
    for p in probes[:2]:
        i = conn.segments.index(p)
        answer = conn.first(lambda s: not conn.from_client(s) and s.has("ACK"), i + 1)
        expect.true("peer_answers_probe_ack", bool(answer is not None and conn.rel_ack(conn.segments[answer]) == 1),
                    "the peer answers each probe with an ACK")


@pytest.mark.behaviour("tcp_keepalive_probes")
@pytest.mark.slow  # waits out TCP_KEEPIDLE + 2 x TCP_KEEPINTVL = 3 s
def test_tcp_keepalive_probes_silent_peer(probe, family, expect):
    run = probe("--port", PORT, "--mode", "silent", "--keepidle", 1, "--keepintvl", 1, "--keepcnt", 2,
                faults=[SILENT_PEER])
    expect.eq("blocked_recv_fails_etimedout_no", run["client_recv"], "ETIMEDOUT",
              "a blocked recv() fails with ETIMEDOUT when no probe is answered")
    expect.eq("tcp_keepcnt_2_unanswered_probes", run["keepalives_sent"], 2, "after TCP_KEEPCNT=2 unanswered probes")
    recv = run.call("recv", "client")
    expect.true("not_tcp_keepidle_tcp_keepcnt", recv["end_real_ns"] - recv["t_real_ns"] >= 2.9 * S,
                "not before TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL = 3 s")
    conn = run.connection()
    probes = _keepalives(conn)
    expect.eq("two_probes_crossed_wire_their", len(probes), 2,
              "two probes crossed the wire (their answers were dropped)")
    expect.true("tcp_keepintvl_apart", probes[1].t_ns - probes[0].t_ns >= 0.9 * S, "TCP_KEEPINTVL apart")
    expect.true("client_resets_dead_connection", bool(any(conn.from_client(s) and s.has("RST") for s in conn.segments)),
                "the client resets the dead connection")



@pytest.mark.behaviour("tcp_keepalive_probes")
@pytest.mark.control("SO_KEEPALIVE off")
@pytest.mark.slow  # waits 3.3 s, past when keep-alive would have killed the connection
def test_tcp_keepalive_probes_silent_peer_control(probe, family, expect):
    """The same silent peer and timers, without SO_KEEPALIVE: no probe, no ETIMEDOUT;
    the idle connection outlives TCP_KEEPIDLE + TCP_KEEPCNT x TCP_KEEPINTVL."""
    run = probe("--port", PORT, "--mode", "silent", "--keepidle", 1, "--keepintvl", 1, "--keepcnt", 2,
                "--no-keepalive", "--wait-ms", 3300, faults=[SILENT_PEER])
    expect.eq("recv_only_times_out_rcvtimeo", run["client_recv"], "EAGAIN",
              "recv() only times out (SO_RCVTIMEO); the connection is not aborted")
    expect.eq("keepalives_sent", run["keepalives_sent"], 0, "no keep-alive is sent (TCPKeepAlive)")
    expect.eq("client_tcp_info_state", run["client_tcp_info"]["state"], "ESTABLISHED",
              "the client stays ESTABLISHED")
    conn = run.connection()
    recv = run.call("recv", "client")
    expect.true("no_keep_alive_probe_wire", not _keepalives(conn), "no keep-alive probe on the wire")
    expect.true("no_reset", not any(s.has("RST") and s.t_ns < recv["end_real_ns"] for s in conn.segments), "no reset")
