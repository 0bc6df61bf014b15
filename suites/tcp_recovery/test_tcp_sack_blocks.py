"""SACK blocks of a receiver holding out-of-order data (RFC 2018 §4) and D-SACK
for a duplicate (RFC 2883 §4; net/ipv4/tcp_input.c tcp_sack_new_ofo_skb(),
tcp_dsack_set()). Sequence numbers are relative to the peer's ISN: bytes 1-100
are the hole, 101-200 arrive first."""
import pytest

from sockspec.checks.tcp_unexpected import kernel_segments, peer_segments

HOLE_END, PAST_HOLE_END = 101, 201  # the hole is [1, 101), the out-of-order data [101, 201)


def sack_edges(conn, segment):
    return [[(left - conn.client_isn) % 2**32, (right - conn.client_isn) % 2**32]
            for left, right in segment.options.get("sack", [])]


def wire_acks(run):
    """The kernel's ACK after each of the peer's three data segments, from the capture."""
    conn = run.connection()
    data = peer_segments(conn, "PSH")
    answers = []
    for sent in data:
        after = [s for s in kernel_segments(conn) if s.t_ns > sent.t_ns]
        answers.append(after[0] if after else None)
    return conn, answers


@pytest.mark.behaviour("tcp_sack_blocks")
def test_tcp_sack_blocks(probe, family, expect):
    run = probe()
    expect.eq("out_of_order_dupack", run["ack_of_out_of_order"], {"ack": 1, "sack": [[HOLE_END, PAST_HOLE_END]]},
              "data past a hole is answered by an ACK of the hole's start with one SACK block covering exactly that data")
    expect.eq("filled_hole_acked", run["ack_of_filling"], {"ack": PAST_HOLE_END, "sack": []},
              "filling the hole acknowledges everything held, with no SACK block left")
    expect.eq("duplicate_reported_as_dsack", run["ack_of_duplicate"], {"ack": PAST_HOLE_END, "sack": [[1, HOLE_END]]},
              "a duplicate of acknowledged data is answered with a D-SACK block: its edges, below the cumulative ACK")
    conn, answers = wire_acks(run)
    expect.eq("wire_sack_blocks", [sack_edges(conn, a) if a else None for a in answers],
              [[[HOLE_END, PAST_HOLE_END]], [], [[1, HOLE_END]]],
              "the capture shows the same SACK and D-SACK blocks in the kernel's ACKs")


@pytest.mark.behaviour("tcp_sack_blocks")
@pytest.mark.control("the peer's SYN does not offer SACK")
def test_tcp_sack_blocks_not_permitted_control(probe, family, expect):
    run = probe("--no-sack-permitted")
    expect.eq("no_sack_without_permission", run["ack_of_out_of_order"], {"ack": 1, "sack": []},
              "without SACK-permitted the out-of-order data is answered by a duplicate ACK with no SACK block")
    expect.eq("no_dsack_without_permission", run["ack_of_duplicate"], {"ack": PAST_HOLE_END, "sack": []},
              "without SACK-permitted a duplicate is answered by an ACK with no D-SACK block")


@pytest.mark.behaviour("tcp_sack_blocks")
@pytest.mark.control("net.ipv4.tcp_dsack=0")
def test_tcp_sack_blocks_dsack_off_control(probe, family, expect):
    run = probe(sysctls={"net.ipv4.tcp_dsack": 0})
    expect.eq("out_of_order_dupack", run["ack_of_out_of_order"], {"ack": 1, "sack": [[HOLE_END, PAST_HOLE_END]]},
              "data past a hole is answered by an ACK of the hole's start with one SACK block covering exactly that data")
    expect.eq("no_dsack_when_disabled", run["ack_of_duplicate"], {"ack": PAST_HOLE_END, "sack": []},
              "with net.ipv4.tcp_dsack=0 a duplicate is answered by an ACK with no D-SACK block")
