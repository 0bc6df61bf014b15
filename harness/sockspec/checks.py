"""Expectations about the wire that more than one suite states. Each raises
AssertionError with what the capture showed, so a failure explains itself."""
from __future__ import annotations

from .flow import Connection, Segment


def labels(conn: Connection, segments: list[Segment] | None = None) -> list[str]:
    """'c>SYN', 's>SYN+ACK', ...: a compact picture of who sent what."""
    return [("c>" if conn.from_client(s) else "s>") + s.label for s in (conn.segments if segments is None else segments)]


def three_way_handshake(conn: Connection) -> None:
    """The first three segments are SYN (client), SYN+ACK (server), ACK (client),
    with sequence and acknowledgement numbers that agree (RFC 9293 §3.5)."""
    segs = conn.segments[:3]
    assert labels(conn, segs) == ["c>SYN", "s>SYN+ACK", "c>ACK"], \
        f"the handshake on the wire was {labels(conn)[:4]}"
    syn, syn_ack, ack = segs
    assert syn.length == 0 and syn_ack.length == 0, "no data rides on the handshake"
    assert syn_ack.ack == (syn.seq + 1) % 2**32, "the SYN+ACK acknowledges the client's ISN + 1"
    assert ack.seq == (syn.seq + 1) % 2**32, "the final ACK's sequence number is the client's ISN + 1"
    assert ack.ack == (syn_ack.seq + 1) % 2**32, "the final ACK acknowledges the server's ISN + 1"
    assert ack.length == 0, "the final ACK of the handshake carries no data here"


def _acks(s: Segment, fin: Segment) -> bool:
    """s acknowledges fin (a FIN's sequence number is the one after its data)."""
    return "ACK" in s.flags and s.ack == (fin.seq + fin.length + 1) % 2**32


def teardown(conn: Connection) -> dict:
    """The teardown's control segments: the first FIN, the peer's ACK of it (None
    when folded into the peer's FIN), the peer's FIN and the last ACK. `count`
    is 4 (the seed's four segments) or 3 (ACK folded into the FIN)."""
    fin_i = conn.first(lambda s: s.has("FIN"))
    assert fin_i is not None, f"no FIN on the wire: {labels(conn)}"
    fin = conn.segments[fin_i]
    closer = conn.from_client(fin)
    peer_fin_i = conn.first(lambda s: s.has("FIN") and conn.from_client(s) != closer, fin_i + 1)
    assert peer_fin_i is not None, f"the peer sent no FIN: {labels(conn)}"
    peer_fin = conn.segments[peer_fin_i]
    ack_i = conn.first(lambda s: conn.from_client(s) != closer and _acks(s, fin), fin_i + 1)
    assert ack_i is not None, f"the first FIN is never acknowledged: {labels(conn)}"
    folded = ack_i == peer_fin_i
    final_i = conn.first(lambda s: conn.from_client(s) == closer and _acks(s, peer_fin), peer_fin_i + 1)
    assert final_i is not None, f"the peer's FIN is never acknowledged: {labels(conn)}"
    final = conn.segments[final_i]
    return {"fin": fin, "ack_of_fin": None if folded else conn.segments[ack_i], "peer_fin": peer_fin,
            "final_ack": final, "count": 3 if folded else 4, "closer": "client" if closer else "server",
            "picture": labels(conn, [fin] + ([] if folded else [conn.segments[ack_i]]) + [peer_fin, final])}


def four_segment_teardown(conn: Connection) -> dict:
    """FIN, a separate ACK of it, the peer's FIN (after any data), the last ACK (RFC 9293 §3.6)."""
    t = teardown(conn)
    assert t["count"] == 4, f"the teardown took {t['count']} segments: {t['picture']}"
    ack = t["ack_of_fin"]
    assert ack.flags_exactly("ACK") and ack.length == 0, f"the FIN's ACK is a pure ACK, not {ack.label}"
    assert t["final_ack"].flags_exactly("ACK"), "the last segment is a pure ACK"
    return t
