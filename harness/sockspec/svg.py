"""The ladder diagram as SVG: the same entries as timeline.render_ladder, drawn
for the HTML report. Time runs down the page (one row per entry, the time in
ms from the first entry at the left); the client's (or the scripted peer's) syscalls left of its
lifeline, the server's right of its own, segments as arrows between them.
Self-contained: inline styles, no fonts or scripts fetched."""
from __future__ import annotations

from html import escape

from .timeline import Entry, left_column

WIDTH = 800
ROW = 17
TOP = 34
CLIENT_X = 300
SERVER_X = 520
CHAR_W = 6.1  # 10.5px monospace
MAX_ENTRIES = 90

COLOURS = {"SYN": "#1f6feb", "FIN": "#8250df", "RST": "#cf222e"}


def _fit(text: str, width_px: float) -> str:
    n = max(4, int(width_px / CHAR_W))
    return text if len(text) <= n else text[: n - 1] + "…"


def _packet_colour(text: str) -> str:
    for flag in ("RST", "FIN", "SYN"):
        if flag in text.split(" ")[0]:
            return COLOURS[flag]
    return "#444"


def render(entries: list[Entry], title: str = "", note: str = "") -> str:
    """An <svg> element (string). `note` is drawn under the title, e.g. why
    there are no packets."""
    shown = entries[:MAX_ENTRIES]
    more = len(entries) - len(shown)
    rows = len(shown) + (1 if more else 0) + (1 if not shown else 0)
    height = TOP + 24 + rows * ROW + 16
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title or "ladder diagram")}" '
           'font-family="DejaVu Sans Mono, monospace" font-size="10.5">',
           f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#fff"/>']
    if title:
        out.append(f'<text x="6" y="13" font-weight="bold" font-size="12">{escape(title)}</text>')
    if note:
        out.append(f'<text x="6" y="27" fill="#9a6700">{escape(note)}</text>')
    y0 = TOP + 12
    out.append(f'<text x="6" y="{y0}" fill="#666">t (ms)</text>')
    out.append(f'<text x="{CLIENT_X}" y="{y0}" text-anchor="middle" font-weight="bold">{left_column(entries)}</text>')
    out.append(f'<text x="{SERVER_X}" y="{y0}" text-anchor="middle" font-weight="bold">server</text>')
    bottom = height - 10
    for x in (CLIENT_X, SERVER_X):
        out.append(f'<line x1="{x}" y1="{y0 + 5}" x2="{x}" y2="{bottom}" stroke="#999" stroke-width="1.5"/>')
    t0 = shown[0].t_ns if shown else 0
    for i, e in enumerate(shown):
        y = y0 + 8 + (i + 1) * ROW
        full = escape(e.text)
        out.append(f'<g><title>{full}</title>')
        out.append(f'<text x="6" y="{y}" fill="#666">{(e.t_ns - t0) / 1e6:9.3f}</text>')
        if e.kind == "packet":
            colour = _packet_colour(e.text)
            a, b = (CLIENT_X, SERVER_X) if e.direction == "right" else (SERVER_X, CLIENT_X)
            out.append(f'<line class="pkt" x1="{a}" y1="{y - 8}" x2="{b}" y2="{y - 1}" stroke="{colour}" '
                       f'stroke-width="1.4"/>')
            d = 1 if b > a else -1  # the arrowhead, drawn (no <marker>: ids would clash between ladders)
            out.append(f'<polygon points="{b},{y - 1} {b - 8 * d},{y - 5} {b - 7 * d},{y + 2}" fill="{colour}"/>')
            label = escape(_fit(e.text, SERVER_X - CLIENT_X - 8))
            out.append(f'<text x="{(CLIENT_X + SERVER_X) / 2}" y="{y - 9}" text-anchor="middle" fill="{colour}">'
                       f'{label}</text>')
        else:
            colour = "#0a3069" if e.kind != "note" else "#57606a"
            style = ' font-style="italic"' if e.kind == "note" else ""
            if e.side == "server":
                out.append(f'<circle cx="{SERVER_X}" cy="{y - 4}" r="2.5" fill="{colour}"/>')
                text = escape(_fit(e.text, WIDTH - SERVER_X - 10))
                out.append(f'<text x="{SERVER_X + 6}" y="{y}" fill="{colour}"{style}>{text}</text>')
            else:
                out.append(f'<circle cx="{CLIENT_X}" cy="{y - 4}" r="2.5" fill="{colour}"/>')
                text = escape(_fit(e.text, CLIENT_X - 80))
                out.append(f'<text x="{CLIENT_X - 6}" y="{y}" text-anchor="end" fill="{colour}"{style}>{text}</text>')
        out.append('</g>')
    if more:
        y = y0 + 8 + (len(shown) + 1) * ROW
        out.append(f'<text x="{(CLIENT_X + SERVER_X) / 2}" y="{y}" text-anchor="middle" fill="#666">'
                   f'… {more} more entries (the pcap and events.jsonl hold them all)</text>')
    if not shown:
        out.append(f'<text x="{(CLIENT_X + SERVER_X) / 2}" y="{y0 + 8 + ROW}" text-anchor="middle" fill="#666">'
                   'nothing recorded</text>')
    out.append('</svg>')
    return "\n".join(out)
