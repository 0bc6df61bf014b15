"""What the scripted-peer suites ask of the wire: the kernel's segments to the
peer, and those it sent after a given peer segment."""
from __future__ import annotations

from .. import flow


def kernel_segments(conn: flow.Connection) -> list[flow.Segment]:
    """The kernel's segments to the peer (the peer is the connection's client)."""
    return [s for s in conn.segments if not conn.from_client(s)]


def answers_after(conn: flow.Connection, sent: flow.Segment) -> list[flow.Segment]:
    """The kernel's segments captured after the peer's segment `sent`."""
    return [s for s in kernel_segments(conn) if s.t_ns > sent.t_ns]


def peer_segments(conn: flow.Connection, *flags: str) -> list[flow.Segment]:
    """The peer's segments with all of `flags` set (all of them with none given)."""
    return [s for s in conn.segments if conn.from_client(s) and s.has(*flags)]
