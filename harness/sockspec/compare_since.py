"""What changed across the Linux kernels, and since when: the report's
differing checks followed along the Linux columns in kernel version order
(the parsed release of each column's environment, never the directory's
name), each change given with the last version before it and the first
version after it, ready to bisect.

Two neighbouring versions differ on a check exactly when the report's list
of differences would say so for those two alone (compare_values): context
taken out, a timing-dependent check by its distributions. A version that
could not observe the check (unobservable, skipped, not reached) is named
with its reason and skipped over, never counted as a change. gVisor, and any
column whose release is not a Linux version, stands outside the order.
"""
from __future__ import annotations

import re
from typing import Any

from . import catalog as catalog_mod
from .compare_columns import Column
from .compare_values import comparable, row_difference, value_key, value_text

MAX_KEYS = 3      # of an object value, the keys that change a line names
MAX_VALUES = 3    # of a timing-dependent check, the values one stretch of versions shows
READING = ("Each change is named by the first version that shows it; the last version before the arrow is the "
           "other end of a bisect. A value back to an earlier one (as on ...) more likely follows the machine or "
           "its configuration than the kernel. A version that could not observe a check is named with its "
           "reason, never counted as a change.")
_RELEASE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
NOT_LINUX = {"gvisor": "gVisor is a network stack of its own, no Linux version: the kernel release it reports "
                       "({release}) is the interface it imitates"}


def kernel_version(release: Any) -> tuple[int, int, int] | None:
    """6.12.117+deb13-cloud-amd64 -> (6, 12, 117); None for what is no version."""
    m = _RELEASE.match(release) if isinstance(release, str) else None
    return (int(m[1]), int(m[2]), int(m[3] or 0)) if m else None


def linux_order(columns: list[Column]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The Linux columns in kernel version order, each {index, label, version}
    (the version as short as keeps it apart: 6.12, else its whole release),
    and the columns outside the order, each {label, why}."""
    linux, outside = [], []
    for i, c in enumerate(columns):
        release = c.env.get("kernel_release")
        version = kernel_version(release)
        target = str(c.env.get("target"))
        if target in NOT_LINUX or c.env.get("runsc_version"):
            outside.append({"label": c.label, "why": NOT_LINUX["gvisor"].format(release=release)})
        elif version is None:
            outside.append({"label": c.label, "why": f"its kernel release {value_text(release, 60)} is no version"})
        else:
            linux.append({"index": i, "label": c.label, "release": str(release), "key": version})
    linux.sort(key=lambda s: (s["key"], s["label"]))
    short = [f"{s['key'][0]}.{s['key'][1]}" for s in linux]
    for s, name in zip(linux, short):
        s["version"] = name if short.count(name) == 1 else s["release"]
    names = [s["version"] for s in linux]
    for s in linux:
        if names.count(s["version"]) > 1:
            s["version"] = s["label"]
    return [{"index": s["index"], "label": s["label"], "version": s["version"]} for s in linux], outside


def _judged(cell: dict[str, Any]) -> bool:
    return cell["state"] == "judged" and cell["outcome"] != "unobservable"


def _shown(cells: list[dict[str, Any]], kind: str, behaviour, keys: list[str] | None) -> str:
    """What one stretch of versions showed: its value (of an object, the keys
    that change; of a timing-dependent check, each value) and its outcome."""
    outcome = cells[0]["outcome"]
    if kind == "context":
        return outcome
    texts: list[str] = []
    for cell in cells:
        value = comparable(cell["check"]["seen"], behaviour)
        if keys:
            text = ", ".join(f"{k}={value_text(value.get(k), 60)}" for k in keys[:MAX_KEYS])
            text += f" and {len(keys) - MAX_KEYS} more keys" if len(keys) > MAX_KEYS else ""
        else:
            text = cell.get("distribution") or value_text(value)
        if text not in texts:
            texts.append(text)
    more = f", … ({len(texts) - MAX_VALUES} more)" if len(texts) > MAX_VALUES else ""
    return f"{', '.join(texts[:MAX_VALUES])}{more} ({outcome})"


def history(row: dict[str, Any], order: list[dict[str, Any]], kind: str, behaviour) -> dict[str, Any] | None:
    """The row along the versions: stretches of versions that agree, each
    after the first a change; None when nothing changes."""
    seen = [(s, row["cells"][s["index"]]) for s in order]
    judged = [(s, cell) for s, cell in seen if _judged(cell)]
    unjudged = [{"version": s["version"], "why": f"{cell['outcome']}: {cell['reason']}"}
                for s, cell in seen if not _judged(cell)]
    stretches: list[dict[str, Any]] = []
    skipped: list[str] = []
    for s, cell in seen:
        if not _judged(cell):
            skipped.append(s["version"])
        elif stretches and not row_difference([stretches[-1]["cells"][-1], cell], kind, behaviour):
            stretches[-1]["versions"].append(s["version"])
            stretches[-1]["cells"].append(cell)
            skipped = []
        else:
            stretches.append({"versions": [s["version"]], "cells": [cell],
                              "unjudged_before": skipped if stretches else []})
            skipped = []
    if len(stretches) < 2:
        return None
    values = [comparable(cell["check"]["seen"], behaviour) for _, cell in judged]
    keys = None
    if all(isinstance(v, dict) for v in values):
        keys = sorted(k for k in set().union(*values) if len({value_key(v.get(k)) for v in values}) > 1)
    for n, st in enumerate(stretches):
        st["value"] = _shown(st["cells"], kind, behaviour, keys)
        earlier = [e for e in stretches[:max(n - 1, 0)]
                   if not row_difference([e["cells"][-1], st["cells"][0]], kind, behaviour)]
        st["as_on"] = earlier[-1]["versions"][-1] if earlier else None
        # The last version before the next change, where the line does not show it already.
        st["through"] = st["versions"][-1] if 0 < n < len(stretches) - 1 and len(st["versions"]) > 1 else None
    return {"test": row["test"], "check": row["check"], "says": row["says"], "changes": len(stretches) - 1,
            "stretches": [{k: v for k, v in st.items() if k != "cells"} for st in stretches],
            "unjudged": unjudged}


def by_version(columns: list[Column], rows: list[dict[str, Any]], catalog: catalog_mod.Catalog) -> dict[str, Any]:
    """{order, outside, labels (of each version), pointer (a sentence for
    the report's first screen, or None), empty (why there is no change to
    show, or None), reading (how to read a line), groups}: the differing
    checks that change along the Linux versions, grouped by the version each
    first changes at, in version order, each group in the report's row order."""
    order, outside = linux_order(columns)
    histories = []
    if len(order) > 1:
        for r in rows:
            if not r["differs"]:
                continue
            behaviour = catalog.behaviours.get(r["behaviour"])
            kind = behaviour.kind_of(r["check"]) if behaviour is not None else "behaviour"
            h = history(r, order, kind, behaviour)
            if h is not None:
                histories.append(h)
    position = {s["version"]: n for n, s in enumerate(order)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for h in sorted(histories, key=lambda h: position[h["stretches"][1]["versions"][0]]):
        groups.setdefault(h["stretches"][1]["versions"][0], []).append(h)
    empty = ("Fewer than two Linux versions among the results: nothing to order." if len(order) < 2 else
             None if histories else "None: no check's outcome or value changes along the Linux versions.")
    versions = [s["version"] for s in order]
    pointer = (f"{len(histories)} of the differing checks change{'s' if len(histories) == 1 else ''} along the Linux versions ({versions[0]} to "
               f"{versions[-1]}): what changed, and since when, follows the differences." if histories else None)
    return {"order": order, "outside": outside, "labels": {s["version"]: s["label"] for s in order},
            "pointer": pointer,
            "empty": empty, "reading": READING, "checks": len(histories),
            "more_than_once": sum(1 for h in histories if h["changes"] > 1),
            "groups": [{"since": v, "checks": hs} for v, hs in groups.items()]}
