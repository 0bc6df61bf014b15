"""`sockspec compare DIR... -o OUT`: results directories from any number of
stacks (targets, kernels, machines) merged into one report, OUT (.html, one
file that works offline: inline CSS and SVG) and OUT with .md beside it (the
same content for a CI summary or a pull request).

The report reads like a finding. Its first line counts the checks that
differ; then come those differences, one sentence each; what changed along
the Linux kernels in version order, and since when (compare_since.py); what each stack
could not observe (unobservable checks, skipped behaviours) with the reason;
the seed's claims per stack; the full matrix of checks x stacks grouped by
behaviour; the environments; a ladder per behaviour per stack.

Two stacks differ on a check when its outcome differs, or its seen value
differs once context (ports, addresses, pids, times: the catalog's
declarations) is taken out. A timing-dependent check (catalog `timing`)
differs on its value only when its distributions over repeats do not
overlap; from single runs only its outcome is compared (compare_values.py).
A stack that skipped a test did not observe it: that is listed, never
counted as a difference.

Every input is loaded and validated before anything is written, and both
files are written through temporary files and renamed: a bad input leaves
no report, not half of one. Everything taken from a results file is escaped
in both outputs.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from . import catalog as catalog_mod
from . import report as report_mod
from . import results as results_mod
from .compare_columns import Column, ladder, load_columns
from .compare_render import render_html, render_markdown
from .compare_since import by_version
from .compare_values import comparable, row_difference, value_key, value_text
from .errors import ResultsError, UsageError
from .paths import REPO, check_output_file
from .report import first_line

MAX_KEYS = 3  # of an object value, the differing keys a difference's sentence names
NOT_OBSERVED = "not observed"


# ---------------------------------------------------------------- rows

def _test_checks(test: dict[str, Any], behaviour: catalog_mod.Behaviour | None) -> list[dict[str, Any]]:
    """A test's checks; a test without named checks (not yet converted) is
    one check: its outcome, its behaviour observations as the seen value."""
    if test["checks"]:
        return test["checks"]
    kind = behaviour.kind_of if behaviour else (lambda k: test["observation_kinds"].get(k, "behaviour"))
    observations = {k: v for k, v in test["observations"].items() if kind(k) == "behaviour"}
    outcome = {"pass": "pass", "varying": "pass"}.get(test["outcome"], "fail")
    return [{"id": "outcome", "says": "the test's assertions hold", "outcome": outcome, "relation": "holds",
             "expected": "pass", "seen": observations, "reason": test.get("reason"), "claim": None,
             "refutes": None, "source": "; ".join(test["sources"]), "evaluations": 1, "failures": 0}]


def _not_observed(test: dict[str, Any] | None) -> str | None:
    """Why a stack did not observe this test at all, or None when it ran."""
    if test is None:
        return "not in this results file"
    if test["outcome"] == "skip":
        return f"skipped: {first_line(test.get('reason')) or 'no reason given'}"
    if test["outcome"] == "error":
        return f"could not run: {first_line(test.get('reason')) or 'error'}"
    return None



def _cell(test: dict[str, Any] | None, check: dict[str, Any] | None) -> dict[str, Any]:
    why = _not_observed(test)
    if why is not None:
        return {"state": NOT_OBSERVED, "outcome": NOT_OBSERVED, "reason": why, "seen": "", "check": None}
    if check is None:
        why = ("the test did not make it here (another branch)" if test["outcome"] in ("pass", "varying")
               else f"the test ended first ({test['outcome']}: {first_line(test.get('reason'))})")
        return {"state": "not reached", "outcome": "not reached", "reason": why,
                "seen": "", "check": None}
    seen = check["reason"] if check["outcome"] == "unobservable" else value_text(check["seen"])
    dist = ""
    if check.get("iterations"):
        counts: dict[str, int] = {}
        for i in check["iterations"]:
            counts[value_text(i["seen"], 40)] = counts.get(value_text(i["seen"], 40), 0) + 1
        dist = ", ".join(f"{v} x{n}" for v, n in sorted(counts.items(), key=lambda p: -p[1]))
    return {"state": "judged", "outcome": check["outcome"], "reason": check.get("reason") or "", "seen": seen,
            "distribution": dist, "check": check}


def _sentence(row: dict[str, Any], columns: list[str], behaviour) -> dict[str, str]:
    """One difference as {what: test and check, says, seen: each stack's
    outcome and value}; of object values, only the keys that differ."""
    judged = [(label, cell) for label, cell in zip(columns, row["cells"])
              if cell["state"] == "judged" and cell["outcome"] != "unobservable"]
    values = [comparable(cell["check"]["seen"], behaviour) if cell["check"] else None for _, cell in judged]
    keys = None
    if values and all(isinstance(v, dict) for v in values):
        keys = sorted(k for k in set().union(*values) if len({value_key(v.get(k)) for v in values}) > 1)
    parts = []
    for (label, cell), value in zip(judged, values):
        text = f"{label}: {cell['outcome']}"
        if keys:
            shown = ", ".join(f"{k}={value_text(value.get(k), 60)}" for k in keys[:MAX_KEYS])
            text += ", seen " + shown + (f" and {len(keys) - MAX_KEYS} more keys" if len(keys) > MAX_KEYS else "")
        elif cell["seen"]:
            text += f", seen {cell['distribution'] or cell['seen']}"
        parts.append(text)
    return {"what": f"{row['test']} {row['check']}", "says": row["says"], "seen": "; ".join(parts)}


def _representative(tests: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The test whose ladder stands for its behaviour: not a control, IPv4
    first, one that ran."""
    ran = [t for t in tests if t.get("runs")]
    if not ran:
        return None
    return sorted(ran, key=lambda t: (bool(t.get("control")), t.get("family") != "inet",
                                      t["outcome"] == "skip", t["id"]))[0]


def build_model(columns: list[Column], catalog: catalog_mod.Catalog) -> dict[str, Any]:
    order = {name: i for i, name in enumerate(catalog.behaviours)}
    labels = [c.label for c in columns]
    # Every (test, check) any stack has, in a stable order: behaviour (catalog
    # order), test id, then the order the checks were made in.
    tests_seen: dict[str, dict[str, Any]] = {}
    check_order: dict[str, dict[str, dict[str, Any]]] = {}
    per_column_checks: list[dict[str, dict[str, dict[str, Any]]]] = []
    for c in columns:
        by_test = {}
        for t in c.data["tests"]:
            tests_seen.setdefault(t["id"], t)
            b = catalog.behaviours.get(t["behaviour"])
            checks = {} if _not_observed(t) else {ch["id"]: ch for ch in _test_checks(t, b)}
            by_test[t["id"]] = checks
            slot = check_order.setdefault(t["id"], {})
            for cid, ch in checks.items():
                slot.setdefault(cid, ch)
        per_column_checks.append(by_test)
    test_ids = sorted(tests_seen, key=lambda tid: (order.get(tests_seen[tid]["behaviour"], 1 << 20),
                                                  tests_seen[tid]["behaviour"], tid))
    rows = []
    for tid in test_ids:
        proto = tests_seen[tid]
        b = catalog.behaviours.get(proto["behaviour"])
        ids = list(check_order[tid]) or ["outcome"]
        for cid in ids:
            first = check_order[tid].get(cid, {"says": "the test ran", "claim": None, "refutes": None})
            cells = [_cell(c.tests.get(tid), per_column_checks[i].get(tid, {}).get(cid))
                     for i, c in enumerate(columns)]
            kind = b.kind_of(cid) if b is not None else "behaviour"
            timing = kind == "timing"
            row = {"behaviour": proto["behaviour"], "test": tid, "check": cid, "says": first["says"],
                   "claim": first.get("claim") or first.get("refutes"), "refutes": bool(first.get("refutes")),
                   "control": proto.get("control"), "timing": timing, "cells": cells}
            row["differs"] = row_difference(cells, kind, b)
            rows.append(row)
    differing = [r for r in rows if r["differs"]]
    for r in differing:
        r["sentence"] = _sentence(r, labels, catalog.behaviours.get(r["behaviour"]))

    unobservable = []
    for ci, c in enumerate(columns):
        skipped: dict[str, set[str]] = {}
        checks = []
        for t in c.data["tests"]:
            why = _not_observed(t)
            if why is not None:
                skipped.setdefault(t["behaviour"], set()).add(why)
                continue
            for ch in t["checks"]:
                if ch["outcome"] == "unobservable":
                    checks.append(f"{t['id']} {ch['id']}: {ch['reason']}")
        for tid in test_ids:
            if tid not in c.tests:
                skipped.setdefault(tests_seen[tid]["behaviour"], set()).add("not in this results file")
        unreached: dict[str, int] = {}
        for r in rows:
            cell = r["cells"][ci]
            if cell["state"] == "not reached":
                unreached[r["test"]] = unreached.get(r["test"], 0) + 1
        not_reached = [f"{tid}: {n} check{'s' if n > 1 else ''} not judged: "
                       f"{_cell(c.tests[tid], None)['reason']}" for tid, n in unreached.items()]
        timing = [f"{t['id']} {key}: {results_mod.describe_distribution(dist)}"
                  for t in c.data["tests"] for key, dist in (t.get("variance") or {}).get("timing", {}).items()]
        unobservable.append({"column": c.label, "checks": checks, "timing": timing, "not_reached": not_reached,
                             "behaviours": [{"name": n, "reasons": sorted(r)} for n, r in
                                            sorted(skipped.items(), key=lambda p: (order.get(p[0], 1 << 20), p[0]))]})

    claims = []
    per_column = [report_mod.claim_verdicts(c.data, catalog) for c in columns]
    for cid, claim in catalog.claims.items():
        cells = [v[cid] for v in per_column]
        claims.append({"id": cid, "says": claim.says, "not_applicable": claim.not_applicable,
                       "cells": [{"verdict": v["verdict"], "details": v["details"], "tests": v["tests"]}
                                 for v in cells],
                       "differs": len({v["verdict"] for v in cells}) > 1})

    differing_behaviours = sorted({r["behaviour"] for r in differing}, key=lambda n: (order.get(n, 1 << 20), n))
    behaviours = []
    names = sorted({r["behaviour"] for r in rows}, key=lambda n: (order.get(n, 1 << 20), n))
    tests_by_behaviour = []   # per column: one pass over its tests, not one per behaviour
    for c in columns:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for t in c.data["tests"]:
            grouped.setdefault(t["behaviour"], []).append(t)
        tests_by_behaviour.append(grouped)
    for name in names:
        b = catalog.behaviours.get(name)
        ladders = []
        for c, grouped in zip(columns, tests_by_behaviour):
            rep = _representative(grouped.get(name, []))
            if rep is not None:
                ladders.append(ladder(c, rep))
        behaviours.append({"name": name, "title": b.title if b else name,
                           "claims": list(b.claims) if b else [], "sources": list(b.sources) if b else [],
                           "linux": b.linux if b else "", "differs": name in differing_behaviours,
                           "ladders": ladders})
    by_behaviour: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_behaviour.setdefault(r["behaviour"], []).append(r)
    for b in behaviours:
        b["rows"] = by_behaviour.get(b["name"], [])

    envs = []
    for c in columns:
        env = c.env
        tools = {k: env[k] for k in sorted(env) if k.endswith("_version") and k != "kernel_version"}
        for k in ("compiler", "runsc_version", "qemu_version", "netstack"):
            if k in env and k not in tools:
                tools[k] = env[k]
        extra = {k: v for k, v in env.items()
                 if k not in tools and k not in ("sysctls", "target", "kernel_release", "kernel_version", "machine")
                 and not isinstance(v, (dict, list))}
        envs.append({"label": c.label, "directory": _display_path(c.directory), "target": env["target"],
                     "kernel_release": env["kernel_release"], "kernel_version": env["kernel_version"],
                     "machine": env["machine"], "sysctls": env.get("sysctls") or {}, "tools": tools,
                     "extra": extra, "summary": c.data["summary"]})
    n = len(differing)
    headline = (f"{n} differing check{'s' if n != 1 else ''} between " + ", ".join(labels)
                + f" ({len(rows)} checks in {len(test_ids)} tests)." if len(labels) > 1
                else f"{len(rows)} checks in {len(test_ids)} tests on {labels[0]} (one stack: nothing to compare).")
    featured = next((b for b in behaviours if b["differs"]), None)
    return {"columns": labels, "headline": headline, "environments": envs, "claims": claims, "rows": rows,
            "differing": differing, "differing_behaviours": differing_behaviours, "unobservable": unobservable,
            "featured": featured, "behaviours": behaviours, "since": by_version(columns, rows, catalog)}


def _display_path(p: Path) -> str:
    p = p.resolve()
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)


def _write_atomic(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return Path(tmp)


def compare(dirs: list[Path], out: Path, catalog: catalog_mod.Catalog | None = None) -> tuple[Path, Path]:
    """Writes OUT.html and OUT.md; raises ResultsError/UsageError before writing anything."""
    out = Path(out)
    if out.suffix != ".html":
        raise UsageError(f"-o {out}: the report's name ends in .html (the Markdown goes beside it as .md)")
    md_path = out.with_suffix(".md")
    check_output_file(out)
    check_output_file(md_path)
    columns = load_columns(dirs)
    model = build_model(columns, catalog or catalog_mod.default())
    html, markdown = render_html(model), render_markdown(model)
    tmps = []
    try:
        tmps = [_write_atomic(out, html), _write_atomic(md_path, markdown)]
        os.replace(tmps[0], out)
        os.replace(tmps[1], md_path)
    finally:
        for t in tmps:
            t.unlink(missing_ok=True)
    return out, md_path


__all__ = ["compare", "build_model", "load_columns", "render_html", "render_markdown", "ResultsError"]
