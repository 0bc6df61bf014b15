"""What the suites of the kernel's active open to the scripted peer ask of
its answers and the wire (the kernel is the connection's client)."""
from __future__ import annotations

from .. import flow


def without_syn_retransmissions(answers: list[str]) -> list[str]:
    """The kernel's answers (flag names) without its SYN's retransmission: on a
    slow machine the 1 s SYN timer may fire before the barrier."""
    return [a for a in answers if a != "SYN"]


def kernel_answers_after(conn: flow.Connection, sent: flow.Segment) -> list[flow.Segment]:
    """The kernel's segments after the peer's segment `sent`, without
    retransmissions of its SYN."""
    return [s for s in conn.segments if conn.from_client(s) and s.t_ns > sent.t_ns and s.label != "SYN"]


def peer_segment(conn: flow.Connection, *flags: str) -> flow.Segment:
    """The peer's first segment with all of `flags` set."""
    return next(s for s in conn.segments if not conn.from_client(s) and s.has(*flags))
