"""Packet loss on demand, inside a run's namespace only: nftables rules that
drop matching packets, every one or only the first N."""
from __future__ import annotations

import subprocess

from .errors import UsageError
from .targets.base import Fault


def ruleset(faults: list[Fault]) -> str:
    # Output hook: on loopback every packet passes it once, when it is sent.
    # nft has no "first N packets" match (quota counts bytes), so "drop only the
    # first N" is a set of size N: each matching packet gets a fresh number
    # (numgen) added to the set and is dropped; once the set is full the add
    # fails, the rule stops there, and later packets pass.
    # A dropped packet never reaches loopback's receive path, where tcpdump
    # captures: it is absent from the pcap. Its effects (a retransmission) are not.
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
    result = subprocess.run(ns.exec_argv(["nft", "-f", "-"]), input=rules, capture_output=True, text=True)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["(no message)"])[0]
        raise UsageError(f"nft rejected the fault rules {[f.match for f in faults]}: {first}")
