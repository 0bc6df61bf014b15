"""tcp_abort_on_overflow (tcp(7)): when the handshake's last ACK finds the
accept queue full, 1 answers with RST, 0 drops the ACK silently
(net/ipv4/tcp_minisocks.c tcp_check_req()). A SYN that arrives when the accept
queue is already full never gets that far: tcp_conn_request() drops it."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

DROP_VICTIM_ACK = Fault("tcp flags == ack", 1)  # the first pure ACK: the victim's last handshake segment
BACKLOG = 1


def check_late_syn_dropped(run, expect):
    expect.true("late_syn_dropped_listenoverflows", run["late_syn_dropped"],
                "the late SYN was dropped (ListenOverflows)")
    expect.eq("late_client_got_no_answer", run["late_state"], "SYN-SENT", "the late client got no answer")
    late = run.connection(run["late_addr"], run["server_addr"])
    expect.eq("no_syn_ack_no_rst", [s.label for s in late.segments], ["SYN"],
              "no SYN+ACK and no RST for a SYN to a full queue, whatever abort_on_overflow says", claim="SEED-13")


@pytest.mark.behaviour("tcp_abort_on_overflow")
def test_tcp_abort_on_overflow(probe, family, expect):
    run = probe("--backlog", BACKLOG, sysctls={"net.ipv4.tcp_abort_on_overflow": 1}, faults=[DROP_VICTIM_ACK])
    expect.eq("victims_connection_waits_request_socket", run["victim_request_socket"], 1,
              "the victim's connection waits as a request socket")
    expect.eq("accept_queue_full", run["accept_queue_full"], BACKLOG + 1, "the accept queue holds backlog+1 connections")
    check_late_syn_dropped(run, expect=expect)
    expect.true("victim_ack_overflowed", run["victim_ack_overflowed"], "the victim's ACK found the accept queue full")
    expect.eq("victims_connection_reset", run["victim_state"], "CLOSE", "the victim's connection is reset", claim="SEED-13")
    expect.eq("victims_read_gives_econnreset", run["victim_read"], "ECONNRESET", "the victim's read gives ECONNRESET")
    expect.eq("accept_queue_after", run["accept_queue_after"], BACKLOG + 1, "the accept queue still holds backlog+1 connections")

    conn = run.connection()
    labels = checks.labels(conn)
    expect.eq("labels", labels[:2], ["c>SYN", "s>SYN+ACK"], "the victim's handshake starts with SYN, SYN+ACK")
    rst_i = conn.first(lambda s: not conn.from_client(s) and s.has("RST"))
    expect.true("server_resets_victim", rst_i is not None, "the server resets the victim")
    answered = conn.segments[rst_i - 1]
    expect.true("rst_answers_victims_ack_would", bool(conn.from_client(answered) and answered.has("ACK")),
                "the RST answers the victim's ACK that would have completed the handshake")
    expect.eq("rst_takes_sequence_number_segments", conn.segments[rst_i].seq, answered.ack,
              "the RST takes its sequence number from that segment's ACK")


@pytest.mark.behaviour("tcp_abort_on_overflow")
@pytest.mark.control("net.ipv4.tcp_abort_on_overflow=0 (the default)")
def test_tcp_abort_on_overflow_off_control(probe, family, expect):
    """The check 'the victim is reset' fails with the default: the ACK is
    dropped silently and the victim stays ESTABLISHED, its data unacknowledged."""
    run = probe("--backlog", BACKLOG, sysctls={"net.ipv4.tcp_abort_on_overflow": 0}, faults=[DROP_VICTIM_ACK])
    check_late_syn_dropped(run, expect=expect)
    expect.true("victim_ack_overflowed", run["victim_ack_overflowed"], "the victim's ACK found the accept queue full")
    expect.eq("victim_state", run["victim_state"], "ESTABLISHED", "the victim stays ESTABLISHED")
    expect.eq("victim_read", run["victim_read"], "EAGAIN", "the victim's read finds nothing (EAGAIN)")
    conn = run.connection()
    read = run.call("recv", "victim")["end_real_ns"]
    before_read = [s for s in conn.segments if s.t_ns < read]
    expect.true("no_rst", not [s for s in before_read if s.has("RST")], "no RST")
    data = next(s for s in before_read if s.length > 0)
    expect.true("server_does_not_acknowledge_data", not [s for s in before_read if not conn.from_client(s) and s.ack == (data.seq + data.length) % 2**32],
                "the server does not acknowledge the data")
