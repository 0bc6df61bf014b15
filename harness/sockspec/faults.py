"""Packet loss on demand, inside a run's namespace only: nftables rules that
drop matching packets, every one or only the first N."""
from __future__ import annotations

import dataclasses
import re
import subprocess

from .errors import UsageError


@dataclasses.dataclass
class Fault:
    """Drop packets matching an nftables expression inside the run's namespace.

    `match` is an nft rule expression such as
    "tcp flags & (fin|ack) == ack tcp sport 5000"; `count` is how many matching
    packets to drop (0 means every one).
    """
    match: str
    count: int = 1


# A fault's match is spliced into an nft rule, so it may hold nothing but a
# match expression: words from nft's match vocabulary, numbers, addresses,
# comparison and bit operators, parentheses and (not nested) anonymous sets.
# Statements (drop, accept, counter, set, log, jump), commands (flush, add,
# table, chain, include), strings, variables and line or rule separators are
# not words of it, so a match can never become a second rule or a command.
MATCH_WORDS = frozenset("""
    ip ip6 tcp udp udplite sctp icmp icmpv6 th meta ct
    version hdrlength dscp ecn length id frag-off ttl protocol checksum saddr daddr
    flowlabel nexthdr hoplimit sport dport sequence ackseq doff reserved flags window urgptr
    fin syn rst psh ack urg cwr
    option eol nop maxseg sack-perm sack sack0 sack1 sack2 sack3 timestamp kind size count
    tsval tsecr left right exists missing
    type code mtu gateway echo-reply echo-request destination-unreachable time-exceeded
    parameter-problem packet-too-big nd-neighbor-solicit nd-neighbor-advert
    nfproto l4proto mark iif iifname oif oifname skuid skgid priority pkttype
    state direction status new established related invalid untracked original reply
    and or xor not eq ne lt gt le ge
""".split())
MATCH_TOKEN = re.compile(r"""
    (?P<space>[ \t]+)
  | (?P<address>\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,3})?|[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:/\d{1,3})?)
  | (?P<number>0x[0-9a-fA-F]{1,16}|\d{1,20})
  | (?P<word>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)
  | (?P<operator>==|!=|<=|>=|[<>&|^!(),{}-])
""", re.VERBOSE)
MAX_MATCH = 300
MAX_COUNT = 65535  # a set of N marks; numgen counts to 1000000


def check(fault: Fault) -> None:
    """Raises UsageError unless the fault is one nft match expression and a sane count."""
    text = fault.match
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_MATCH:
        raise UsageError(f"a fault's match is an nftables match expression of 1 to {MAX_MATCH} characters, "
                         "e.g. 'tcp flags == ack'")
    depth, words, pos = 0, 0, 0
    while pos < len(text):
        token = MATCH_TOKEN.match(text, pos)
        kind = token.lastgroup if token else None
        value = token.group() if token else text[pos]
        if kind == "word" and value not in MATCH_WORDS:
            kind = None
        if kind == "operator":
            depth += {"{": 1, "}": -1}.get(value, 0)
            if depth not in (0, 1) or (value == "," and depth == 0):
                kind = None
        if kind is None:
            raise UsageError(f"fault match {text[:80]!r}: {value[:20]!r} at column {pos + 1} is not part of an "
                             "nftables match expression (only matches, e.g. 'tcp sport 5000 tcp flags == ack')")
        words += kind == "word"
        pos = token.end()
    if depth or not words:
        raise UsageError(f"fault match {text[:80]!r}: not a whole nftables match expression")
    if not isinstance(fault.count, int) or isinstance(fault.count, bool) or not 0 <= fault.count <= MAX_COUNT:
        raise UsageError(f"a fault's count is 0 (every match) to {MAX_COUNT}, not {fault.count!r}")


def ruleset(faults: list[Fault]) -> str:
    # Output hook: on loopback every packet passes it once, when it is sent.
    # nft has no "first N packets" match (quota counts bytes), so "drop only the
    # first N" is a set of size N: each matching packet gets a fresh number
    # (numgen) added to the set and is dropped; once the set is full the add
    # fails, the rule stops there, and later packets pass.
    # A dropped packet never reaches loopback's receive path, where tcpdump
    # captures: it is absent from the pcap. Its effects (a retransmission) are not.
    for f in faults:
        check(f)
    lines = ["table inet sockspec_faults {"]
    for i, f in enumerate(faults):
        if f.count > 0:
            lines.append(f"  set dropped_{i} {{ type mark; size {f.count}; flags dynamic; }}")
    lines.append("  chain output {")
    lines.append("    type filter hook output priority 0; policy accept;")
    for i, f in enumerate(faults):
        if f.count > 0:
            lines.append(f"    {f.match} meta mark set numgen inc mod 1000000 "
                         f"add @dropped_{i} {{ meta mark }} counter drop")
        else:
            lines.append(f"    {f.match} counter drop")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def install(ns, faults: list[Fault]) -> None:
    rules = ruleset(faults)
    result = subprocess.run(ns.enter_argv(["nft", "-f", "-"]), input=rules, capture_output=True, text=True)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        raise UsageError(f"nft rejected the fault rules {[f.match for f in faults]}: {first}")
