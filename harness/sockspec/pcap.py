"""A pcap file's records: the link type, each record's bytes with an integer
nanosecond time, and the IP packet inside a record."""
from __future__ import annotations

import struct
from typing import Iterator

import dpkt

from .errors import PcapError

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = {12, 14, 101}
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276


def ip_layer(linktype: int, buf: bytes):
    """The IP (or IPv6) packet of a record, or what dpkt found instead of one."""
    if linktype == LINKTYPE_ETHERNET:
        return dpkt.ethernet.Ethernet(buf).data
    if linktype in LINKTYPE_RAW:
        if not buf:
            return None
        return dpkt.ip.IP(buf) if buf[0] >> 4 == 4 else dpkt.ip6.IP6(buf)
    if linktype == LINKTYPE_LINUX_SLL:
        return dpkt.sll.SLL(buf).data
    if linktype == LINKTYPE_LINUX_SLL2:
        return dpkt.sll2.SLL2(buf).data
    raise PcapError(f"unsupported link type {linktype}")


_MAGICS = {  # magic as read little-endian -> (byte order, nanosecond stamps)
    dpkt.pcap.TCPDUMP_MAGIC: ("<", False),
    dpkt.pcap.TCPDUMP_MAGIC_NANO: ("<", True),
    dpkt.pcap.PMUDPCT_MAGIC: (">", False),
    dpkt.pcap.PMUDPCT_MAGIC_NANO: (">", True),
}


def records(data: bytes) -> tuple[int, Iterator[tuple[int, bytes]]]:
    """The link type and the records with integer nanosecond times. dpkt's
    Reader gives float seconds (too coarse to order a syscall between two
    packets) and stops silently at a cut-short record, which must be an error."""
    if len(data) < 24:
        raise PcapError(f"not a pcap file (only {len(data)} bytes; a pcap header has 24)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in _MAGICS:
        raise PcapError("not a pcap file (an unknown magic number; pcapng is not supported)")
    endian, nano = _MAGICS[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF

    def iterate() -> Iterator[tuple[int, bytes]]:
        offset, n = 24, 0
        while offset < len(data):
            n += 1
            if offset + 16 > len(data):
                raise PcapError(f"truncated: the header of record {n} is cut short at byte {offset}")
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
            offset += 16
            if offset + caplen > len(data):
                raise PcapError(f"truncated: record {n} needs {caplen} bytes, {len(data) - offset} remain")
            yield sec * 1_000_000_000 + (frac if nano else frac * 1000), data[offset:offset + caplen]
            offset += caplen

    return linktype, iterate()
