"""What the teardown-and-lifetime suites ask of a connection's segments."""
from __future__ import annotations

from .. import flow


def fins_from(conn: flow.Connection, from_client: bool = True) -> list[flow.Segment]:
    """One side's FIN segments, retransmissions included, in capture order."""
    return [s for s in conn.segments if conn.from_client(s) == from_client and s.has("FIN")]


def ack_of_fin(conn: flow.Connection, fin: flow.Segment) -> flow.Segment | None:
    """The peer's first segment acknowledging `fin` (its sequence number plus data plus one)."""
    covers = (fin.seq + fin.length + 1) % 2**32
    return next((s for s in conn.segments if conn.from_client(s) != conn.from_client(fin)
                 and s.has("ACK") and s.ack == covers and s.t_ns >= fin.t_ns), None)
