"""Wire questions the sockets-API suites (suites/socket_api) ask that flow.py's
decoded segments cannot answer: flow keeps only the TCP options it knows
(MSS, window scale, SACK, timestamps, Fast Open)."""
from __future__ import annotations

from pathlib import Path

import dpkt

from . import flow

TCPOPT_MPTCP = 30  # RFC 8684 §2.1: MP_CAPABLE and the other MPTCP sub-options


def tcp_option_kinds(pcap: Path | str, segment: flow.Segment) -> list[int]:
    """The kinds of every TCP option the captured segment carried, in order."""
    linktype, records = flow._records(Path(pcap).read_bytes())
    for _, buf in records:
        ip = flow._ip_layer(linktype, buf)
        tcp = getattr(ip, "data", None)
        if isinstance(tcp, dpkt.tcp.TCP) and tcp.sport == segment.src.port and tcp.dport == segment.dst.port \
                and tcp.seq == segment.seq and bool(tcp.flags & dpkt.tcp.TH_SYN) == segment.has("SYN"):
            return [kind for kind, _ in dpkt.tcp.parse_opts(tcp.opts)]
    raise LookupError(f"segment {segment.label} {segment.src} -> {segment.dst} not found in {pcap}")

