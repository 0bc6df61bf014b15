"""What flow.Segment leaves out and the data-transfer suites need: the TCP
urgent pointer of each segment, read from the same pcap with dpkt."""
from __future__ import annotations

import socket
from pathlib import Path

import dpkt

from . import flow


def urgent_pointers(pcap: Path | str) -> list[tuple[str, int, int]]:
    """(source "ip:port", seq, urgent pointer) of every TCP segment with URG set, in capture order."""
    data = Path(pcap).read_bytes()
    linktype, records = flow._records(data)
    out = []
    for _, buf in records:
        ip = flow._ip_layer(linktype, buf)
        if not isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)) or not isinstance(ip.data, dpkt.tcp.TCP):
            continue
        tcp = ip.data
        if tcp.flags & dpkt.tcp.TH_URG:
            af = socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
            src = str(flow.Endpoint(socket.inet_ntop(af, ip.src), tcp.sport))
            out.append((src, tcp.seq, tcp.urp))
    return out


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
