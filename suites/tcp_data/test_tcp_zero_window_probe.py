"""Zero window and window probes (RFC 9293 §3.8.6.1; tcp_write_wakeup in tcp_output.c)."""
import pytest

TIMER_ZERO_WINDOW_PROBE = 4  # inet_diag idiag_timer


@pytest.mark.behaviour("tcp_zero_window_probe")
def test_tcp_zero_window_probe(probe, family, expect):
    run = probe("--rcvbuf", 4096, "--bytes", 16384, "--probes", 2)
    expect.true("sender_learns_zero_window", bool(run["zero_window_seen"]), "the sender learns a zero window")
    expect.true("sender_sends_zero_window_probes", bool(run["probes_in_time"] and run["window_probes_sent"] >= 2),
                "the sender sends zero-window probes")
    expect.true("zero_window_probe_timer_armed", run["client_socket"]["timer"] == TIMER_ZERO_WINDOW_PROBE,
                "the zero-window probe timer is armed")
    expect.gt("data_waits_window_reopen", run["client_tcp_info_closed"]["notsent_bytes"], 0,
              "data waits for the window to reopen")
    expect.eq("receiver_reads_everything_arrives", run["server_read"], run["accepted"],
              "once the receiver reads, everything arrives")
    expect.ge("receiver_advertised_window_again_tcpext", run["from_zero_window_adverts"], 1,
              "the receiver advertised a window again (TcpExt TCPFromZeroWindowAdv)")

    conn = run.connection()
    zero = conn.first(lambda s: not conn.from_client(s) and s.win == 0)
    expect.true("receiver_advertises_window_0_wire", zero is not None, "the receiver advertises window 0 on the wire")
    zero_ack = conn.rel_ack(conn.segments[zero])
    probes = [s for s in conn.segments[zero + 1:]
              if conn.from_client(s) and s.length == 0 and s.flags_exactly("ACK")
              and conn.rel_seq(s) == zero_ack - 1]
    expect.ge("window_probes_empty_acks_seq", len(probes), 2, "window probes: empty ACKs with seq = snd_una - 1")
    for p in probes[:2]:
        i = conn.segments.index(p)
        answer = conn.first(lambda s: not conn.from_client(s), i + 1)
        expect.true("probe_answered_window_0_while", bool(conn.segments[answer].win == 0 or conn.segments[answer].t_ns > run.call("recv", "server")["t_real_ns"]),
                    "each probe is answered, still with window 0 while the receiver is not reading")
    first_read = run.call("recv", "server")
    update = conn.first(lambda s: not conn.from_client(s) and s.win > 0 and s.t_ns > first_read["t_real_ns"], zero)
    expect.true("reading_sends_window_update", update is not None, "reading sends a window update")
    more = [s for s in conn.segments[update:] if conn.from_client(s) and s.length]
    expect.true("data_flows_again_window_update", bool(more), "data flows again after the window update")


@pytest.mark.behaviour("tcp_zero_window_probe")
@pytest.mark.control("a receive buffer big enough for the data (SO_RCVBUF 256 KiB)")
def test_tcp_zero_window_probe_control(probe, family, expect):
    """The same 16 KiB to a receiver that does not read, but whose buffer holds it all:
    the window never closes and no probe is sent."""
    run = probe("--rcvbuf", 262144, "--bytes", 16384, "--probes", 2, "--wait-ms", 500)
    expect.true("not_zero_window_window_probes", bool(not run["zero_window_seen"] and run["window_probes_sent"] == 0),
                "no zero window and no window probe")
    expect.true("client_socket_timer", run["client_socket"]["timer"] != TIMER_ZERO_WINDOW_PROBE,
                "no zero-window probe timer is pending")
    conn = run.connection()
    expect.true("no_zero_window_wire", bool(all(s.win > 0 for s in conn.segments if not conn.from_client(s))),
                "no zero window on the wire")
