"""What crossed the wire: a pcap decoded (with dpkt) into TCP segments, UDP
datagrams and ICMP messages, and questions to ask of them.

Times are CLOCK_REALTIME nanoseconds, the clock the probes stamp their
syscalls with, so packets and syscalls share one time axis.
"""
from __future__ import annotations

import dataclasses
import socket
import struct
from pathlib import Path
from typing import Iterable, Union

import dpkt

from . import pcap
from .errors import PcapError
from .marker import MARKER, MARKER_PORT

TCP_FLAGS = [("SYN", dpkt.tcp.TH_SYN), ("FIN", dpkt.tcp.TH_FIN), ("RST", dpkt.tcp.TH_RST),
             ("PSH", dpkt.tcp.TH_PUSH), ("ACK", dpkt.tcp.TH_ACK), ("URG", dpkt.tcp.TH_URG),
             ("ECE", dpkt.tcp.TH_ECE), ("CWR", dpkt.tcp.TH_CWR)]

@dataclasses.dataclass(frozen=True, order=True)
class Endpoint:
    ip: str
    port: int

    def __str__(self) -> str:
        return f"[{self.ip}]:{self.port}" if ":" in self.ip else f"{self.ip}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> "Endpoint":
        """'127.0.0.1:80' or '[::1]:80', as the probes write addresses; ValueError otherwise."""
        if text.startswith("["):
            ip, _, port = text[1:].partition("]:")
        else:
            ip, _, port = text.rpartition(":")
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in ip else socket.AF_INET, ip)
            return cls(ip, int(port))
        except (OSError, ValueError):
            raise ValueError(f"not an IP endpoint: {text!r}") from None

    @classmethod
    def maybe(cls, text) -> "Endpoint | None":
        """The endpoint, or None for anything else (a unix address, a missing value)."""
        try:
            return cls.parse(text) if isinstance(text, str) else None
        except ValueError:
            return None


@dataclasses.dataclass(frozen=True)
class Segment:
    t_ns: int
    src: Endpoint
    dst: Endpoint
    flags: frozenset[str]
    seq: int
    ack: int
    win: int
    length: int          # payload bytes, as the IP header says (payload holds only what was captured)
    options: dict        # decoded: mss, wscale, sackok, ts, sack, fastopen
    payload: bytes = b""
    option_kinds: tuple[int, ...] = ()   # every option's kind as sent, in order (NOP and EOL too)
    urgent: int = 0      # the urgent pointer (meaningful with URG)
    hop_limit: int = 0   # the IPv4 TTL or the IPv6 hop limit it was sent with

    @property
    def kind(self) -> str:
        return "tcp"

    def has(self, *flags: str) -> bool:
        return all(f in self.flags for f in flags)

    def flags_exactly(self, *flags: str) -> bool:
        return self.flags == frozenset(flags)

    @property
    def label(self) -> str:
        """'SYN', 'SYN+ACK', 'PSH+ACK', in the order people write them."""
        order = ["SYN", "FIN", "RST", "PSH", "URG", "ACK", "ECE", "CWR"]
        return "+".join(f for f in order if f in self.flags) or "none"

    @property
    def seq_space(self) -> int:
        """Sequence numbers the segment occupies: payload, plus one each for SYN and FIN."""
        return self.length + ("SYN" in self.flags) + ("FIN" in self.flags)


@dataclasses.dataclass(frozen=True)
class Datagram:
    t_ns: int
    src: Endpoint
    dst: Endpoint
    length: int
    payload: bytes
    ttl: int        # IPv4 TTL or IPv6 hop limit
    tos: int        # IPv4 TOS or IPv6 traffic class
    checksum: int   # the UDP header's checksum field as captured (0: the sender computed none)

    @property
    def kind(self) -> str:
        return "udp"

    @property
    def label(self) -> str:
        return f"UDP {self.length}"


@dataclasses.dataclass(frozen=True)
class IcmpMessage:
    t_ns: int
    src: str
    dst: str
    type: int
    code: int
    version: int  # 4 or 6

    @property
    def kind(self) -> str:
        return "icmp"

    @property
    def label(self) -> str:
        names = {(4, 3, 3): "port unreachable", (6, 1, 4): "port unreachable"}
        name = names.get((self.version, self.type, self.code), f"type {self.type} code {self.code}")
        return f"ICMP{'v6' if self.version == 6 else ''} {name}"


Packet = Union[Segment, Datagram, IcmpMessage]


def _option_kinds(tcp: dpkt.tcp.TCP) -> tuple[int, ...]:
    try:
        return tuple(kind for kind, _ in dpkt.tcp.parse_opts(tcp.opts))
    except (dpkt.UnpackError, struct.error, IndexError):
        return ()


def _tcp_options(tcp: dpkt.tcp.TCP) -> dict:
    opts: dict = {}
    try:
        parsed = dpkt.tcp.parse_opts(tcp.opts)
    except (dpkt.UnpackError, struct.error, IndexError):
        return {"unparsed": tcp.opts.hex()}
    for kind, data in parsed:
        if kind == dpkt.tcp.TCP_OPT_MSS and len(data) == 2:
            opts["mss"] = struct.unpack("!H", data)[0]
        elif kind == dpkt.tcp.TCP_OPT_WSCALE and len(data) == 1:
            opts["wscale"] = data[0]
        elif kind == dpkt.tcp.TCP_OPT_SACKOK:
            opts["sackok"] = True
        elif kind == dpkt.tcp.TCP_OPT_TIMESTAMP and len(data) == 8:
            opts["ts"] = struct.unpack("!II", data)
        elif kind == dpkt.tcp.TCP_OPT_SACK:
            opts["sack"] = [struct.unpack("!II", data[i:i + 8]) for i in range(0, len(data) - 7, 8)]
        elif kind == 34:
            opts["fastopen"] = data.hex()
    return opts


def _decode(t_ns: int, ip) -> Packet | None:
    if isinstance(ip, dpkt.ip.IP):
        af, version = socket.AF_INET, 4
    elif isinstance(ip, dpkt.ip6.IP6):
        af, version = socket.AF_INET6, 6
    else:
        return None
    src_s, dst_s = socket.inet_ntop(af, ip.src), socket.inet_ntop(af, ip.dst)
    l4 = ip.data
    if isinstance(l4, dpkt.tcp.TCP):
        flags = frozenset(name for name, bit in TCP_FLAGS if l4.flags & bit)
        return Segment(t_ns, Endpoint(src_s, l4.sport), Endpoint(dst_s, l4.dport), flags, l4.seq, l4.ack,
                       l4.win, _l4_payload_length(ip, l4.off * 4, len(l4.data)), _tcp_options(l4), bytes(l4.data),
                       _option_kinds(l4), l4.urp, ip.ttl if version == 4 else ip.hlim)
    if isinstance(l4, dpkt.udp.UDP):
        ttl, tos = (ip.ttl, ip.tos) if version == 4 else (ip.hlim, ip.fc)
        return Datagram(t_ns, Endpoint(src_s, l4.sport), Endpoint(dst_s, l4.dport), max(l4.ulen - 8, 0),
                        bytes(l4.data), ttl, tos, l4.sum)
    if isinstance(l4, (dpkt.icmp.ICMP, dpkt.icmp6.ICMP6)):
        return IcmpMessage(t_ns, src_s, dst_s, l4.type, l4.code, version)
    return None


def _l4_payload_length(ip, l4_header_len: int, captured: int) -> int:
    """The payload length the IP header declares: the capture keeps only the
    first SNAPLEN bytes of each packet, so the captured bytes may be fewer."""
    if isinstance(ip, dpkt.ip.IP):
        return max(ip.len - ip.hl * 4 - l4_header_len, 0)
    if ip.nxt in (dpkt.ip.IP_PROTO_TCP, dpkt.ip.IP_PROTO_UDP):  # no extension headers
        return max(ip.plen - l4_header_len, 0)
    return captured


def _is_marker(p: Packet) -> bool:
    return isinstance(p, Datagram) and p.dst.port == MARKER_PORT and p.payload.startswith(MARKER)


def read_pcap(path: Path | str) -> list[Packet]:
    """Every TCP, UDP and ICMP packet before the end-of-capture marker, in order.
    Raises PcapError with the file and the reason when the file is not a whole pcap."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise PcapError(f"{path}: cannot read: {e.strerror}") from None
    return parse_pcap(data, str(path))


def parse_pcap(data: bytes, name: str) -> list[Packet]:
    """read_pcap() of bytes already read; name says where they came from."""
    packets: list[Packet] = []
    try:
        linktype, records = pcap.records(data)
        records = list(records)  # the whole file is checked, also past the marker
        for t_ns, buf in records:
            packet = _decode(t_ns, pcap.ip_layer(linktype, buf))
            if packet is None:
                continue
            if _is_marker(packet):
                break
            packets.append(packet)
    except PcapError as e:
        raise PcapError(f"{name}: {e}") from None
    except (dpkt.UnpackError, dpkt.NeedData, struct.error, ValueError) as e:
        raise PcapError(f"{name}: malformed packet after {len(packets)} packets ({e})") from None
    return packets


class Connection:
    """One TCP connection's segments, oriented: the client sent the first SYN."""

    def __init__(self, client: Endpoint, server: Endpoint, segments: list[Segment]):
        self.client = client
        self.server = server
        self.segments = segments

    def __repr__(self) -> str:
        return f"Connection({self.client} -> {self.server}, {len(self.segments)} segments)"

    def from_client(self, s: Segment) -> bool:
        return s.src == self.client

    def direction(self, s: Segment) -> str:
        return "c2s" if self.from_client(s) else "s2c"

    @property
    def client_isn(self) -> int | None:
        syn = next((s for s in self.segments if self.from_client(s) and s.has("SYN")), None)
        return syn.seq if syn else None

    @property
    def server_isn(self) -> int | None:
        synack = next((s for s in self.segments if not self.from_client(s) and s.has("SYN", "ACK")), None)
        return synack.seq if synack else None

    def rel_seq(self, s: Segment) -> int:
        isn = self.client_isn if self.from_client(s) else self.server_isn
        return (s.seq - isn) % 2**32 if isn is not None else s.seq

    def rel_ack(self, s: Segment) -> int:
        isn = self.server_isn if self.from_client(s) else self.client_isn
        return (s.ack - isn) % 2**32 if isn is not None and "ACK" in s.flags else s.ack

    def describe(self, s: Segment) -> str:
        """A segment as a ladder line says it: 'SYN+ACK seq=0 ack=1 win=65483 len=0'."""
        text = f"{s.label} seq={self.rel_seq(s)}"
        if "ACK" in s.flags:
            text += f" ack={self.rel_ack(s)}"
        text += f" win={s.win}"
        if s.length:
            text += f" len={s.length}"
        opts = []
        for key in ("mss", "wscale"):
            if key in s.options:
                opts.append(f"{key} {s.options[key]}")
        if s.options.get("sackok"):
            opts.append("sackOK")
        if "ts" in s.options:
            opts.append("TS")
        if "fastopen" in s.options:
            opts.append("TFO")
        if opts:
            text += " <" + ",".join(opts) + ">"
        return text

    def first(self, predicate, start: int = 0) -> int | None:
        """Index of the first segment from `start` on that satisfies predicate."""
        for i in range(start, len(self.segments)):
            if predicate(self.segments[i]):
                return i
        return None

    def fins(self) -> list[Segment]:
        return [s for s in self.segments if s.has("FIN")]


def connections(packets: Iterable[Packet]) -> list[Connection]:
    """TCP connections in the order they started. A connection whose SYN is not
    in the capture is oriented with its first segment's sender as the client."""
    by_key: dict[frozenset, Connection] = {}
    order: list[Connection] = []
    for p in packets:
        if not isinstance(p, Segment):
            continue
        key = frozenset((p.src, p.dst))
        conn = by_key.get(key)
        if conn is None:
            client, server = (p.dst, p.src) if p.has("SYN", "ACK") else (p.src, p.dst)
            conn = Connection(client, server, [])
            by_key[key] = conn
            order.append(conn)
        conn.segments.append(p)
    return order


def connection_between(packets: Iterable[Packet], client: str | Endpoint, server: str | Endpoint) -> Connection:
    """The connection between two endpoints as the probe reported them ("127.0.0.1:5000")."""
    c = Endpoint.parse(client) if isinstance(client, str) else client
    s = Endpoint.parse(server) if isinstance(server, str) else server
    for conn in connections(packets):
        if {conn.client, conn.server} == {c, s}:
            if conn.client != c:
                conn.client, conn.server = c, s
            return conn
    raise LookupError(f"no TCP connection between {c} and {s} in the capture")
