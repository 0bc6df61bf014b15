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


def answers_to(conn: flow.Connection, sent: flow.Segment) -> list[flow.Segment]:
    """The kernel's answers to the peer's segment `sent`: what it sent after
    it, without the FIN of the server's close when the probe ends."""
    return [s for s in answers_after(conn, sent) if not s.has("FIN")]


def answers_to_last(conn: flow.Connection, *flags: str) -> list[flow.Segment]:
    """answers_to() the peer's last segment with these flags."""
    return answers_to(conn, peer_segments(conn, *flags)[-1])


def answers_to_data(conn: flow.Connection) -> list[flow.Segment]:
    """answers_to() the peer's first segment with payload."""
    return answers_to(conn, next(s for s in peer_segments(conn) if s.length))
