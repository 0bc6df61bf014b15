"""Wire questions the udp and ipv6 suites ask: datagrams between two endpoints,
and ICMP messages about them."""
from __future__ import annotations

from ..flow import Datagram, Endpoint, IcmpMessage, Packet


def datagrams(packets: list[Packet], src: str | None = None, dst: str | None = None) -> list[Datagram]:
    """The UDP datagrams from src to dst ('127.0.0.1:5000' / '[::1]:5000'), in capture order."""
    s = Endpoint.parse(src) if src else None
    d = Endpoint.parse(dst) if dst else None
    return [p for p in packets if isinstance(p, Datagram) and (s is None or p.src == s) and (d is None or p.dst == d)]


def port_unreachables(packets: list[Packet], to_ip: str | None = None) -> list[IcmpMessage]:
    """ICMP (type 3 code 3) or ICMPv6 (type 1 code 4) port unreachable messages, optionally only those to to_ip."""
    return [p for p in packets if isinstance(p, IcmpMessage) and p.label.endswith("port unreachable")
            and (to_ip is None or p.dst == to_ip)]


def picture(packets: list[Packet]) -> list[str]:
    """'UDP 14 [::1]:5>[::1]:6', 'ICMPv6 port unreachable': what crossed, for failure messages."""
    out = []
    for p in packets:
        if isinstance(p, Datagram):
            out.append(f"{p.label} {p.src}>{p.dst}")
        elif isinstance(p, IcmpMessage):
            out.append(f"{p.label} {p.src}>{p.dst}")
        else:
            out.append(f"TCP {p.label} {p.src}>{p.dst}")
    return out
