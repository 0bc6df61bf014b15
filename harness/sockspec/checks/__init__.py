"""Wire checks: what the suites ask of the capture.

This module holds the TCP connection checks more than one suite states, as
named checks (expect.py) under a prefix: `handshake.*`, `teardown.*`; the
modules beside it hold an area's questions (tcp_data, tcp_options, udp, unix). A test passes
its own `expect`; without one (a test not yet converted) the checks are judged
on the spot and a failure raises ChecksFailed, as an assert would."""
from __future__ import annotations

import contextlib

from ..expect import Expect
from ..flow import Connection, Segment


def labels(conn: Connection, segments: list[Segment] | None = None) -> list[str]:
    """'c>SYN', 's>SYN+ACK', ...: a compact picture of who sent what."""
    return [("c>" if conn.from_client(s) else "s>") + s.label for s in (conn.segments if segments is None else segments)]


@contextlib.contextmanager
def _judged(expect: Expect | None):
    own = expect is None
    expect = Expect() if own else expect
    yield expect
    if own:
        expect.finish()


def three_way_handshake(conn: Connection, expect: Expect | None = None, claim: str | None = None) -> bool:
    """The first three segments are SYN (client), SYN+ACK (server), ACK (client),
    with sequence and acknowledgement numbers that agree (RFC 9293 §3.5).
    `claim`: the claim the handshake's shape is evidence for (SEED-1)."""
    source = "RFC 9293 §3.5"
    with _judged(expect) as e:
        segs = conn.segments[:3]
        if not e.eq("handshake.segments", labels(conn, segs), ["c>SYN", "s>SYN+ACK", "c>ACK"],
                    "the connection opens with SYN, SYN+ACK, ACK", claim=claim, source=source):
            return False
        syn, syn_ack, ack = segs
        e.eq("handshake.no_data", [syn.length, syn_ack.length, ack.length], [0, 0, 0],
             "no data rides on the SYN, the SYN+ACK or the final ACK", source=source)
        ok = e.that("handshake.numbers",
                    syn_ack.ack == (syn.seq + 1) % 2**32 and ack.seq == (syn.seq + 1) % 2**32
                    and ack.ack == (syn_ack.seq + 1) % 2**32,
                    "the SYN+ACK acknowledges the client's ISN + 1, the final ACK has sequence number ISN + 1 "
                    "and acknowledges the server's ISN + 1",
                    seen={"syn+ack.ack - isn": (syn_ack.ack - syn.seq) % 2**32,
                          "ack.seq - isn": (ack.seq - syn.seq) % 2**32,
                          "ack.ack - server isn": (ack.ack - syn_ack.seq) % 2**32},
                    expected="1, 1, 1", claim=claim, source=source)
        return ok


def _acks(s: Segment, fin: Segment) -> bool:
    """s acknowledges fin (a FIN's sequence number is the one after its data)."""
    return "ACK" in s.flags and s.ack == (fin.seq + fin.length + 1) % 2**32


def teardown(conn: Connection, expect: Expect | None = None) -> dict | None:
    """The teardown's control segments: the first FIN, the peer's ACK of it (None
    when folded into the peer's FIN), the peer's FIN and the last ACK. `count`
    is 4 (the seed's four segments) or 3 (ACK folded into the FIN). None when
    the teardown is not complete on the wire (the failed check says which part)."""
    source = "RFC 9293 §3.6"
    with _judged(expect) as e:
        fin_i = conn.first(lambda s: s.has("FIN"))
        if not e.true("teardown.fin", fin_i is not None, "a FIN crosses", source=source):
            return None
        fin = conn.segments[fin_i]
        closer = conn.from_client(fin)
        peer_fin_i = conn.first(lambda s: s.has("FIN") and conn.from_client(s) != closer, fin_i + 1)
        ack_i = conn.first(lambda s: conn.from_client(s) != closer and _acks(s, fin), fin_i + 1)
        found = {"peer_fin": peer_fin_i is not None, "ack_of_fin": ack_i is not None}
        if not e.eq("teardown.both_fins_acked_segments", found, {"peer_fin": True, "ack_of_fin": True},
                    "the peer acknowledges the first FIN and sends its own", source=source):
            return None
        peer_fin = conn.segments[peer_fin_i]
        folded = ack_i == peer_fin_i
        final_i = conn.first(lambda s: conn.from_client(s) == closer and _acks(s, peer_fin), peer_fin_i + 1)
        if not e.true("teardown.final_ack", final_i is not None, "the peer's FIN is acknowledged", source=source):
            return None
        final = conn.segments[final_i]
        return {"fin": fin, "ack_of_fin": None if folded else conn.segments[ack_i], "peer_fin": peer_fin,
                "final_ack": final, "count": 3 if folded else 4, "closer": "client" if closer else "server",
                "picture": labels(conn, [fin] + ([] if folded else [conn.segments[ack_i]]) + [peer_fin, final])}


def four_segment_teardown(conn: Connection, expect: Expect | None = None, claim: str | None = None) -> dict | None:
    """FIN, a separate ACK of it, the peer's FIN (after any data), the last ACK (RFC 9293 §3.6)."""
    source = "RFC 9293 §3.6"
    with _judged(expect) as e:
        t = teardown(conn, e)
        if t is None:
            return None
        if not e.eq("teardown.count", t["count"], 4, "the teardown takes four segments", claim=claim,
                    source=source):
            return t
        ack = t["ack_of_fin"]
        e.that("teardown.pure_acks", ack.flags_exactly("ACK") and ack.length == 0
               and t["final_ack"].flags_exactly("ACK"),
               "the FIN's ACK and the last segment are pure ACKs", seen=[ack.label, t["final_ack"].label],
               expected="ACK, ACK", source=source)
        return t
