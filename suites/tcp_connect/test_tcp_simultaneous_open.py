"""Simultaneous open (RFC 9293 §3.5, figure 8): two sockets connect() to each
other; both SYNs cross, each side answers the other's SYN with SYN+ACK from
SYN-RECEIVED, and both connections complete
(net/ipv4/tcp_input.c tcp_rcv_synsent_state_process(), tcp_send_synack())."""
import pytest

from sockspec import checks
from sockspec.targets import Fault

PORT_A, PORT_B = 40001, 40002
ATTEMPTS = 3
# Both first SYNs of each attempt's pair of ports: the two sockets then retransmit together, 1 s later.
DROP_FIRST_SYNS = [Fault(f"tcp sport {port} tcp flags == syn", 1) for port in range(PORT_A, PORT_A + 2 * ATTEMPTS)]


@pytest.mark.behaviour("tcp_simultaneous_open")
def test_tcp_simultaneous_open(probe, family, expect):
    run = probe("--port-a", PORT_A, "--port-b", PORT_B, "--attempts", ATTEMPTS, faults=DROP_FIRST_SYNS)
    expect.true("syns_crossed_within_attempts", run["crossed"], "the two SYNs crossed on the wire within the probe's attempts")
    expect.true("connect_a", run["connect_a"] == run["connect_b"] == "EINPROGRESS",
                "both non-blocking connect() calls give EINPROGRESS")
    for side in ("a", "b"):
        s = run["sides"][side]
        expect.true("s_connect_succeeds", bool(s["revents"] == "POLLOUT" and s["so_error"] == "0" and s["state"] == "ESTABLISHED"),
                    "each side's connect() succeeds")
    expect.true("data_flows_both_ways", bool(run["a_read"] == "from B" and run["b_read"] == "from A"),
                "data flows both ways")

    conn = run.connection()  # A is the "client"
    picture = checks.labels(conn)[:4]
    expect.eq("both_syns_wire_any_answer", sorted(picture[:2]), ["c>SYN", "s>SYN"],
              "both SYNs are on the wire before any answer")
    expect.eq("side_sends_syn_ack_syn", sorted(picture[2:4]), ["c>SYN+ACK", "s>SYN+ACK"],
              "then each side sends SYN+ACK (from SYN-RECEIVED), not a plain ACK")
    syn = {conn.from_client(s): s for s in conn.segments[:2]}
    for s in conn.segments[2:4]:
        mine, theirs = syn[conn.from_client(s)], syn[not conn.from_client(s)]
        expect.eq("syn_ack_repeats_sides_own", s.seq, mine.seq, "the SYN+ACK repeats the side's own SYN (same ISN)")
        expect.eq("acknowledges_other_sides_syn", s.ack, (theirs.seq + 1) % 2**32,
                  "and acknowledges the other side's SYN")
    expect.true("no_further_syn_syn_ack", not [s for s in conn.segments[4:] if s.has("SYN")],
                "no further SYN or SYN+ACK: both are open")


@pytest.mark.behaviour("tcp_simultaneous_open")
@pytest.mark.control("only A's first SYN dropped: B's SYN arrives alone")
def test_tcp_simultaneous_open_one_sided_control(probe, family, expect):
    """The check 'both SYNs cross, then two SYN+ACKs' fails when only one SYN is
    in flight: A (in SYN-SENT) answers B's SYN with SYN+ACK, B completes with a
    plain ACK: a three-segment handshake from B's side, though both called connect()."""
    run = probe("--port-a", PORT_A, "--port-b", PORT_B, "--attempts", 1,
                faults=[Fault(f"tcp sport {PORT_A} tcp flags == syn", 1)])
    expect.true("sides_a_state", run["sides"]["a"]["state"] == run["sides"]["b"]["state"] == "ESTABLISHED",
                "both sides end ESTABLISHED")
    expect.true("crossed_false_sides_b_syn", bool(run["crossed"] is False and run["sides"]["b"]["syn_retransmitted"] is False),
                "the SYNs did not cross and the second side's SYN was not retransmitted")
    conn = run.connection()
    expect.eq("labels", checks.labels(conn)[:3], ["s>SYN", "c>SYN+ACK", "s>ACK"],
              "a SYN, SYN+ACK, ACK handshake the other way round")
