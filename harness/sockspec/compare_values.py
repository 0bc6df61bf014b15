"""When two stacks' values of a check differ: context (ports, addresses,
pids, times: the catalog's declarations) taken out, a timing-dependent check
by its distributions over repeats, what a stack could not observe never.
The report's list of differences and its history across kernel versions
(compare_since.py) both ask here."""
from __future__ import annotations

import json
import re
from typing import Any

from . import catalog as catalog_mod

MAX_VALUE = 90


def value_text(value: Any, limit: int = MAX_VALUE) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ADDR_PORT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|\d+\.\d+\.\d+\.\d+):\d+$")


def comparable(value: Any, behaviour: catalog_mod.Behaviour | None) -> Any:
    """The value with its context taken out: keys that are context (the
    catalog's declarations and the names that are context by themselves) at
    any depth, and the port of every address string."""
    kind = behaviour.kind_of if behaviour else (lambda k: "context" if catalog_mod.CONTEXT_BY_NAME.search(k)
                                                else "behaviour")
    def strip(v: Any) -> Any:
        if isinstance(v, str):
            return _ADDR_PORT.sub(r"\1:*", v) if ":" in v else v
        if isinstance(v, list):
            return [strip(x) for x in v]
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if kind(k) != "context"}
        return v
    return strip(value)


def value_key(value: Any) -> str:
    if isinstance(value, str):   # most values: no encoder needed to tell them apart
        return "s" + value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _overlap(checks: list[dict[str, Any]], behaviour) -> bool:
    """Whether the repeats' seen values of every pair of stacks overlap: numbers
    by their ranges (a duration never repeats exactly), other values by a value
    in common."""
    samples = [[comparable(i["seen"], behaviour) for i in ch["iterations"]] for ch in checks]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for vs in samples for v in vs):
        ranges = [(min(vs), max(vs)) for vs in samples]
        return all(a[0] <= b[1] and b[0] <= a[1] for i, a in enumerate(ranges) for b in ranges[i + 1:])
    sets = [{value_key(v) for v in vs} for vs in samples]
    return all(a & b for i, a in enumerate(sets) for b in sets[i + 1:])


def row_difference(cells: list[dict[str, Any]], kind: str, behaviour) -> bool:
    """`kind` is the check's, from the catalog: a context check (its seen
    value is a time or a port) is compared on its outcome alone."""
    # What a stack could not observe, or did not reach (the test ended first),
    # is listed apart: no evidence of a difference.
    judged = [c for c in cells if c["state"] == "judged" and c["outcome"] != "unobservable"]
    if len(judged) < 2:
        return False
    if len({c["outcome"] for c in judged}) > 1:
        return True
    checks = [c["check"] for c in judged]
    if kind == "context" or any(ch is None for ch in checks):
        return False
    if kind == "timing":
        if not all(ch.get("iterations") for ch in checks):
            return False  # one sample per stack cannot show that two distributions do not overlap
        return not _overlap(checks, behaviour)
    return len({value_key(comparable(ch["seen"], behaviour)) for ch in checks}) > 1
