"""tcp_abort_on_overflow (tcp(7)): when the handshake's last ACK finds the
accept queue full, 1 answers with RST, 0 drops the ACK silently
(net/ipv4/tcp_minisocks.c tcp_check_req()). A SYN that arrives when the accept
queue is already full never gets that far: tcp_conn_request() drops it."""
import pytest

from sockspec.targets import Fault

DROP_VICTIM_ACK = Fault("tcp flags == ack", 1)  # the first pure ACK: the victim's last handshake segment
BACKLOG = 1


def check_late_syn_dropped(run):
    assert run["late_syn_dropped"] is True, "the late SYN was dropped (ListenOverflows)"
    assert run["late_state"] == "SYN-SENT", "the late client got no answer"
    late = run.connection(run["late_addr"], run["server_addr"])
    assert [s.label for s in late.segments] == ["SYN"], \
        "no SYN+ACK and no RST for a SYN to a full queue, whatever abort_on_overflow says"


@pytest.mark.behaviour("tcp_abort_on_overflow")
def test_tcp_abort_on_overflow(probe, family, claims):
    run = probe("--backlog", BACKLOG, sysctls={"net.ipv4.tcp_abort_on_overflow": 1}, faults=[DROP_VICTIM_ACK])
    assert run["victim_request_socket"] == 1, "the victim's connection waits as a request socket"
    assert run["accept_queue_full"] == BACKLOG + 1
    check_late_syn_dropped(run)
    assert run["victim_ack_overflowed"] is True
    assert run["victim_state"] == "CLOSE", "the victim's connection is reset"
    assert run["victim_read"] == "ECONNRESET", "the victim's read gives ECONNRESET"
    assert run["accept_queue_after"] == BACKLOG + 1

    conn = run.connection()
    labels = [("c>" if conn.from_client(s) else "s>") + s.label for s in conn.segments]
    assert labels == ["c>SYN", "s>SYN+ACK", "c>PSH+ACK", "s>RST"], \
        f"the victim's data (whose ACK completes the handshake) is answered with RST: {labels}"
    data, rst = conn.segments[2], conn.segments[3]
    assert rst.seq == data.ack, "the RST takes its sequence number from the segment's ACK"
    claims.verdict("SEED-13", "holds", "accept-queue overflow: with tcp_abort_on_overflow=1 the ACK completing a "
                                       "connection onto the full queue drew a RST; a SYN to the full queue was "
                                       "dropped without an answer")


@pytest.mark.behaviour("tcp_abort_on_overflow")
@pytest.mark.control("net.ipv4.tcp_abort_on_overflow=0 (the default)")
def test_tcp_abort_on_overflow_off_control(probe, family):
    """The check 'the victim is reset' fails with the default: the ACK is
    dropped silently and the victim stays ESTABLISHED, its data unacknowledged."""
    run = probe("--backlog", BACKLOG, sysctls={"net.ipv4.tcp_abort_on_overflow": 0}, faults=[DROP_VICTIM_ACK])
    check_late_syn_dropped(run)
    assert run["victim_ack_overflowed"] is True
    assert run["victim_state"] == "ESTABLISHED"
    assert run["victim_read"] == "EAGAIN"
    conn = run.connection()
    assert not [s for s in conn.segments if s.has("RST")], "no RST"
    assert not [s for s in conn.segments[2:] if not conn.from_client(s)], "the server does not answer the data"
