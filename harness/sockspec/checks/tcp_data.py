"""What the data-transfer suites ask of a connection's segments."""
from __future__ import annotations

from .. import flow


def new_data_segments(conn: flow.Connection, from_client: bool = True) -> list[flow.Segment]:
    """One side's segments that carry stream bytes not sent before: a retransmission
    (or a tail loss probe resending old bytes) is left out, so counts do not
    depend on the timers of a loaded machine."""
    sent_up_to, out = 0, []
    for s in conn.segments:
        if conn.from_client(s) == from_client and s.length:
            end = conn.rel_seq(s) + s.length
            if end > sent_up_to:
                out.append(s)
                sent_up_to = end
    return out


def retransmitted_data_segments(conn: flow.Connection, from_client: bool = True) -> list[flow.Segment]:
    """One side's segments that carry only stream bytes it had sent before: what
    new_data_segments() leaves out (a retransmission, a tail loss probe)."""
    new = {id(s) for s in new_data_segments(conn, from_client)}
    return [s for s in conn.segments if conn.from_client(s) == from_client and s.length and id(s) not in new]
