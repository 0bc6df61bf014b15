"""`sockspec compare DIR... -o OUT`: results directories from any number of
stacks (targets, kernels, machines) merged into one report, OUT (.html, one
file that works offline: inline CSS and SVG) and OUT with .md beside it (the
same content for a CI summary or a pull request).

The report reads like a finding. Its first line counts the checks that
differ; then come those differences, one sentence each; what each stack
could not observe (unobservable checks, skipped behaviours) with the reason;
the seed's claims per stack; the full matrix of checks x stacks grouped by
behaviour; the environments; a ladder per behaviour per stack.

Two stacks differ on a check when its outcome differs, or its seen value
differs once context (ports, addresses, pids, times: the catalog's
declarations) is taken out. A timing-dependent check (catalog `timing`)
differs on its value only when its distributions over repeats do not
overlap; from single runs only its outcome is compared. A stack that skipped
a test did not observe it: that is listed, never counted as a difference.

Every input is loaded and validated before anything is written, and both
files are written through temporary files and renamed: a bad input leaves
no report, not half of one. Everything taken from a results file is escaped
in both outputs.
"""
from __future__ import annotations

import dataclasses
import html as html_mod
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from . import catalog as catalog_mod
from . import flow, svg, timeline, untrusted
from . import report as report_mod
from . import results as results_mod
from .errors import PcapError, ResultsError, UsageError
from .markdown import md, md_code, md_fence
from .paths import REPO, check_output_file
from .report import first_line

TEMPLATES = Path(__file__).parent / "templates"
MAX_VALUE = 90
MAX_KEYS = 3  # of an object value, the differing keys a difference's sentence names
NOT_OBSERVED = "not observed"


@dataclasses.dataclass
class Column:
    label: str
    directory: Path
    data: dict[str, Any]
    tests: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.tests = {t["id"]: t for t in self.data["tests"]}

    @property
    def env(self) -> dict[str, Any]:
        return self.data["environment"]


def load_columns(dirs: list[Path]) -> list[Column]:
    if not dirs:
        raise UsageError("compare needs at least one results directory")
    columns, seen = [], {}
    for d in dirs:
        data = results_mod.load(Path(d))
        directory = Path(d) if Path(d).is_dir() else Path(d).parent
        env = data["environment"]
        label = f"{env['target']} {env['kernel_release']}"
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label += f" ({seen[label]})"
        columns.append(Column(label, directory, data))
    return columns


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
            return _ADDR_PORT.sub(r"\1:*", v)
        if isinstance(v, list):
            return [strip(x) for x in v]
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if kind(k) != "context"}
        return v
    return strip(value)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


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


def _overlap(checks: list[dict[str, Any]], behaviour) -> bool:
    """Whether the repeats' seen values of every pair of stacks overlap: numbers
    by their ranges (a duration never repeats exactly), other values by a value
    in common."""
    samples = [[comparable(i["seen"], behaviour) for i in ch["iterations"]] for ch in checks]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for vs in samples for v in vs):
        ranges = [(min(vs), max(vs)) for vs in samples]
        return all(a[0] <= b[1] and b[0] <= a[1] for i, a in enumerate(ranges) for b in ranges[i + 1:])
    sets = [{_key(v) for v in vs} for vs in samples]
    return all(a & b for i, a in enumerate(sets) for b in sets[i + 1:])


def _row_difference(cells: list[dict[str, Any]], kind: str, behaviour) -> bool:
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
    return len({_key(comparable(ch["seen"], behaviour)) for ch in checks}) > 1


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
        keys = sorted(k for k in set().union(*values) if len({_key(v.get(k)) for v in values}) > 1)
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


def _ladder(column: Column, test: dict[str, Any]) -> dict[str, Any]:
    run = (test.get("runs") or [{}])[0]
    notes: list[str] = []
    events: list[dict] = []
    if run.get("events"):
        try:
            events = untrusted.load_json_lines(untrusted.read_inside(column.directory, run["events"]), run["events"])
        except FileNotFoundError:
            notes.append("events unreadable: no such file")
    else:
        notes.append("no events recorded")
    packets: list = []
    if run.get("pcap"):
        try:
            packets = flow.parse_pcap(untrusted.read_inside(column.directory, run["pcap"]), run["pcap"])
        except FileNotFoundError:
            notes.append("capture unreadable: no such file")
        except PcapError as e:
            notes.append(f"capture unreadable: {str(e).splitlines()[0]}")
    else:
        notes.append(f"no capture: {run.get('wire_unavailable') or 'none taken'}")
    servers = []
    server = test["observations"].get("server_addr")
    if isinstance(server, str):
        try:
            servers.append(flow.Endpoint.parse(server))
        except (ValueError, IndexError):
            pass
    try:
        entries = timeline.build(events, packets, servers)
    except Exception as e:  # a capture the timeline cannot place must not cost the whole report
        entries, notes = [], notes + [f"no ladder: {e}"]
    title = f"{test['id']} on {column.label}"
    return {"column": column.label, "test": test["id"], "outcome": test["outcome"], "notes": notes,
            "svg": svg.render(entries, title, "; ".join(notes)),
            "text": timeline.render_ladder(entries)}


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
            row["differs"] = _row_difference(cells, kind, b)
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
    for name in names:
        b = catalog.behaviours.get(name)
        ladders = []
        for c in columns:
            rep = _representative([t for t in c.data["tests"] if t["behaviour"] == name])
            if rep is not None:
                ladders.append(_ladder(c, rep))
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
            "featured": featured, "behaviours": behaviours}


def _display_path(p: Path) -> str:
    p = p.resolve()
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)


def render_markdown(model: dict[str, Any]) -> str:
    cols = model["columns"]
    lines = [f"**{md(model['headline'])}**", "", "# sockspec: stacks compared", ""]
    lines += ["## Differences", ""]
    if model["differing"]:
        lines += [f"- {md_code(r['sentence']['what'])}: {md(r['sentence']['says'])}: {md(r['sentence']['seen'])}"
                  for r in model["differing"]]
    else:
        lines.append("None: every check judged on more than one stack has the same outcome and, context "
                     "taken out, the same value.")
    lines += ["", "## Not observed", ""]
    for u in model["unobservable"]:
        lines.append(f"### {md(u['column'])}")
        lines.append("")
        lines += [f"- unobservable: {md(c)}" for c in u["checks"]]
        lines += [f"- {md_code(b['name'])}: {md('; '.join(b['reasons']))}" for b in u["behaviours"]]
        lines += [f"- {md(x)}" for x in u["not_reached"]]
        if not u["checks"] and not u["behaviours"] and not u["not_reached"]:
            lines.append("- nothing: every check was judged")
        if u["timing"]:
            lines += ["", "Timing-dependent values (not compared; their distributions over the repeats):", ""]
            lines += [f"- {md(x)}" for x in u["timing"]]
        lines.append("")
    lines += ["## The seed's claims", "",
              "| claim | the seed says | " + " | ".join(md(c) for c in cols) + " |",
              "|---|---|" + "---|" * len(cols)]
    for cl in model["claims"]:
        cells = []
        for cell in cl["cells"]:
            detail = "; ".join(cell["details"])
            cells.append(f"**{md(cell['verdict'])}**" + (f": {md(detail[:300])}" if detail else ""))
        lines.append(f"| {md(cl['id'])}{' ≠' if cl['differs'] else ''} | {md(cl['says'])} | " + " | ".join(cells) + " |")
    lines += ["", "## Checks x stacks", "", "Grouped by behaviour; ≠ marks a check that differs.", ""]
    for b in model["behaviours"]:
        lines += [f"### {md(b['name'])}{' ≠' if b['differs'] else ''}", "",
                  f"{md(b['title'])}. Claims: {md(', '.join(b['claims']) or '-')}. "
                  f"Sources: {md('; '.join(b['sources']))}.", "",
                  "| test | check | " + " | ".join(md(c) for c in cols) + " |", "|---|---|" + "---|" * len(cols)]
        for r in b["rows"]:
            cells = []
            for cell in r["cells"]:
                text = f"**{md(cell['outcome'])}**"
                if cell["seen"]:
                    text += f" {md_code(cell.get('distribution') or cell['seen'])}"
                elif cell["reason"]:
                    text += f" {md(cell['reason'][:120])}"
                cells.append(text)
            claim = f" ({md(r['claim'])}{', against' if r['refutes'] else ''})" if r["claim"] else ""
            lines.append(f"| {'≠ ' if r['differs'] else ''}{md_code(r['test'])} | {md_code(r['check'])}: "
                         f"{md(r['says'])}{claim} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Environments", ""]
    for e in model["environments"]:
        s = e["summary"]
        lines += [f"### {md(e['label'])}", "",
                  f"- results: {md_code(e['directory'])}; {s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, "
                  f"{s['error']} errors, {s.get('varying', 0)} varying",
                  f"- target {md_code(e['target'])}, kernel {md_code(e['kernel_release'])} "
                  f"({md_code(e['kernel_version'])}), {md(e['machine'])}"]
        lines += [f"- {md(k)}: {md_code(v)}" for k, v in e["tools"].items()]
        lines += [f"- {md(k)}: {md_code(v)}" for k, v in e["extra"].items()]
        if e["sysctls"]:
            lines.append("- sysctls: " + ", ".join(md_code(f"{k}={v}") for k, v in e["sysctls"].items()))
        lines.append("")
    lines += ["## Ladders", "", "Each behaviour's first probe run on each stack: packets and syscalls on one time axis.", ""]
    for b in model["behaviours"]:
        lines += [f"### {md(b['name'])}{' ≠' if b['differs'] else ''}", ""]
        for lad in b["ladders"]:
            summary = html_mod.escape(f"{lad['test']} on {lad['column']} ({lad['outcome']})"
                                      + (f": {'; '.join(lad['notes'])}" if lad["notes"] else ""))
            summary = summary.replace("[", "&#91;").replace("]", "&#93;")  # an HTML block: entities, not escapes
            lines += [f"<details><summary>{summary}</summary>", "", *md_fence(lad["text"].rstrip("\n")), "",
                      "</details>", ""]
    return "\n".join(lines) + "\n"


def render_html(model: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**model)


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
