"""Packet loss on demand, inside a run's namespace only: nftables rules that
drop matching packets, every one or only the first N."""
from __future__ import annotations

import subprocess

from .errors import SockspecError
from .targets.base import Fault


def ruleset(faults: list[Fault]) -> str:
    # Output hook: on loopback every packet passes it once, when it is sent.
    # "Drop only the first N" uses a named counter-less trick: each drop adds the
    # rule's index to a set together with an ordinal, and nft quota cannot count
    # packets, so a per-rule packet limit is done with a set of seen ordinals.
    lines = ["table inet sockspec_faults {"]
    for i, f in enumerate(faults):
        if f.count > 0:
            lines.append(f"  set dropped_{i} {{ type mark; size {f.count}; flags dynamic; }}")
    lines.append("  chain output {")
    lines.append("    type filter hook output priority 0; policy accept;")
    for i, f in enumerate(faults):
        if f.count > 0:
            # A packet is dropped while the set has room: each drop adds one
            # distinct element (the set's current size is not visible to rules,
            # so numgen gives each matching packet a fresh number).
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
        raise SockspecError(f"nft rejected the fault rules: {result.stderr.strip()}")
