"""Packets and syscalls on one time axis, and the text ladder that draws it.

The ladder reads like a packetdrill script: time runs down the page, the
client's syscalls on the left, the server's on the right, segments as arrows
between them.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable

from .flow import Connection, Datagram, Endpoint, IcmpMessage, Packet, Segment, connections


@dataclasses.dataclass
class Entry:
    t_ns: int
    kind: str            # "call", "return", "note", "packet"
    side: str            # "client", "server" (column) or "wire"
    text: str
    direction: str = ""  # for packets: "right" (client to server) or "left"
    source: Any = None   # the event dict or the packet


def side_column(side: str) -> str:
    """The column a probe's actor is drawn in: servers right, the scripted peer
    left in a column of its own name, everyone else left."""
    if side == "peer":
        return "peer"
    return "server" if side.startswith("server") or side.startswith("listener") else "client"


def left_column(entries: list[Entry]) -> str:
    """The left column's title: "peer" when the scripted peer played the far end."""
    return "peer" if any(e.side == "peer" for e in entries) else "client"


def _call_text(e: dict) -> str:
    if e.get("call") == "state":
        result = e.get("result")
        return f"{e['text']}: {_compact(result)}"
    text = f"{e['text']} = {e['ret']}"
    if e.get("errno_name"):
        text += f" {e['errno_name']}"
    result = e.get("result")
    if isinstance(result, dict) and result:
        text += " -> " + _compact(result)
    return text


def _compact(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return f"{len(value)} sockets"
    return str(value)


def build(events: list[dict], packets: list[Packet], server_endpoints: Iterable[Endpoint] = ()) -> list[Entry]:
    """Merges the probe's events and the captured packets by CLOCK_REALTIME.
    A call that blocked, or during which packets crossed, appears twice: where
    it started and where it returned."""
    entries: list[Entry] = []
    packet_times = sorted(p.t_ns for p in packets)
    for e in events:
        if "t_real_ns" not in e:
            continue
        column = side_column(e.get("side", "client"))
        if "note" in e:
            entries.append(Entry(e["t_real_ns"], "note", column, f"# {e['note']}", source=e))
            continue
        end = e.get("end_real_ns", e["t_real_ns"])
        if any(e["t_real_ns"] < t < end for t in packet_times) or end - e["t_real_ns"] > 1_000_000:
            entries.append(Entry(e["t_real_ns"], "call", column, f"{e['text']} ...", source=e))
            entries.append(Entry(end, "return", column, f"... {_call_text(e)}", source=e))
        else:
            entries.append(Entry(e["t_real_ns"], "call", column, _call_text(e), source=e))

    servers = set(server_endpoints)
    conns = {frozenset((c.client, c.server)): c for c in connections(packets)}
    for p in packets:
        if isinstance(p, Segment):
            conn: Connection = conns[frozenset((p.src, p.dst))]
            to_server = p.dst in servers if servers & {p.src, p.dst} else conn.from_client(p)
            entries.append(Entry(p.t_ns, "packet", "wire", conn.describe(p),
                                 "right" if to_server else "left", p))
        elif isinstance(p, Datagram):
            right = p.dst in servers or (not servers and p.dst.port < p.src.port)
            entries.append(Entry(p.t_ns, "packet", "wire", f"UDP {p.src.port}>{p.dst.port} len={p.length}",
                                 "right" if right else "left", p))
        elif isinstance(p, IcmpMessage):
            entries.append(Entry(p.t_ns, "packet", "wire", p.label, "left", p))
    entries.sort(key=lambda x: x.t_ns)
    return entries


def render_ladder(entries: list[Entry], width: int = 100) -> str:
    """The text ladder: one line per entry, times in ms from the first entry."""
    if not entries:
        return "(nothing happened)\n"
    t0 = entries[0].t_ns
    side_w = (width - 12) // 3
    mid_w = width - 12 - 2 * side_w
    header = f"{'t (ms)':>9}  {left_column(entries):<{side_w}}{'':^{mid_w}}{'server':>{side_w}}"
    lines = [header, f"{'':>9}  {'|':<{side_w}}{'':^{mid_w}}{'|':>{side_w}}"]
    for e in entries:
        t = f"{(e.t_ns - t0) / 1e6:9.3f}"
        if e.kind == "packet":
            label = f" {e.text} "
            span = 2 * side_w + mid_w - 2
            if len(label) > span - 4:
                label = label[:span - 5] + "… "
            if e.direction == "right":
                body = "|" + ("--" + label).ljust(span - 1, "-") + ">" + "|"
            else:
                body = "|" + "<" + (label + "--").rjust(span - 1, "-") + "|"
            lines.append(f"{t}  {body}")
        elif e.side == "server":
            text = e.text if len(e.text) <= 2 * side_w + mid_w - 2 else e.text[:2 * side_w + mid_w - 3] + "…"
            lines.append(f"{t}  |{text:>{2 * side_w + mid_w - 2}}|")
        else:
            text = e.text if len(e.text) <= 2 * side_w + mid_w - 2 else e.text[:2 * side_w + mid_w - 3] + "…"
            lines.append(f"{t}  |{text:<{2 * side_w + mid_w - 2}}|")
    return "\n".join(lines) + "\n"
