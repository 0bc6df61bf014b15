"""`sockspec compare DIR... -o OUT`: results directories from any number of
kernels (targets, machines) merged into one report, OUT (.html, one file that
works offline: inline CSS and SVG) and OUT with .md beside it (the same
content for a CI summary or a pull request).

The report: the seed's claims with a verdict per kernel; the matrix of test x
kernel (observed values and verdict per cell), rows whose results differ
between kernels first, each with its claim and sources from the catalog; each
kernel's environment; a ladder diagram per behaviour per kernel, drawn from
the first probe run's pcap and events.

Every input is loaded and validated before anything is written, and both
files are written through temporary files and renamed: a bad input leaves
no report, not half of one.
"""
from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from . import catalog as catalog_mod
from . import flow, svg, timeline, untrusted
from . import report as report_mod
from . import results as results_mod
from .errors import PcapError, ResultsError, UsageError
from .paths import REPO, check_output_file

TEMPLATES = Path(__file__).parent / "templates"
MAX_VALUE = 70


@dataclasses.dataclass
class Column:
    label: str
    directory: Path
    data: dict[str, Any]

    @property
    def env(self) -> dict[str, Any]:
        return self.data["environment"]

    @property
    def tests(self) -> dict[str, dict[str, Any]]:
        return {t["id"]: t for t in self.data["tests"]}


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


def _value_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _shown(key: str, value: Any) -> bool:
    return not key.endswith("_addr") and not key.endswith("_addrs") and key not in ("clients", "accepted")


def _cell(test: dict[str, Any] | None, diff_keys: set[str]) -> dict[str, Any]:
    if test is None:
        return {"outcome": "absent", "reason": "not in this results file", "observed": [], "verdicts": []}
    obs = results_mod.normalise(test["observations"])
    keys = sorted(obs, key=lambda k: (k not in diff_keys, k))
    observed = [{"key": k, "value": _value_text(obs[k]), "differs": k in diff_keys}
                for k in keys if _shown(k, obs[k]) or k in diff_keys]
    reason = (test.get("reason") or "").splitlines()[0] if test.get("reason") else ""
    verdicts = [{"claim": v["claim"], "verdict": v["verdict"], "detail": v.get("detail", "")}
                for v in test.get("claim_verdicts", [])]
    # one verdict per claim: the weakest, as report.claim_verdicts does
    order = {"does not hold": 0, "partly": 1, "holds": 2, "not applicable": 3}
    by_claim: dict[str, dict] = {}
    for v in verdicts:
        if v["claim"] not in by_claim or order[v["verdict"]] < order[by_claim[v["claim"]]["verdict"]]:
            by_claim[v["claim"]] = v
    return {"outcome": test["outcome"], "reason": reason if test["outcome"] != "pass" else "",
            "observed": observed, "verdicts": list(by_claim.values())}


def _row_differences(tests: list[dict[str, Any] | None]) -> tuple[set[str], bool]:
    """The observation keys whose values differ between kernels that ran the
    test, and whether the outcomes differ."""
    present = [t for t in tests if t is not None]
    outcomes_differ = len({t["outcome"] for t in present}) > 1 or len(present) < len(tests)
    ran = [t for t in present if t["outcome"] not in ("skip",)]
    keys: set[str] = set()
    if len(ran) > 1:
        normalised = [results_mod.normalise(t["observations"]) for t in ran]
        common = set.intersection(*(set(n) for n in normalised))
        for k in common:
            if len({json.dumps(n[k], sort_keys=True) for n in normalised}) > 1:
                keys.add(k)
        for k in set.union(*(set(n) for n in normalised)) - common:
            if not results_mod.VOLATILE_KEY.search(k):
                keys.add(k)
    return keys, outcomes_differ


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
    ids: dict[str, dict[str, Any]] = {}
    for c in columns:
        for t in c.data["tests"]:
            ids.setdefault(t["id"], t)
    rows = []
    for tid, proto in ids.items():
        tests = [c.tests.get(tid) for c in columns]
        diff_keys, outcomes_differ = _row_differences(tests)
        b = catalog.behaviours.get(proto["behaviour"])
        rows.append({"id": tid, "behaviour": proto["behaviour"],
                     "title": b.title if b else proto.get("title", ""),
                     "claims": list(b.claims) if b else proto["claims"],
                     "sources": list(b.sources) if b else proto.get("sources", []),
                     "control": proto.get("control"),
                     "differs": bool(diff_keys) or outcomes_differ,
                     "diff_keys": sorted(diff_keys),
                     "outcomes_differ": outcomes_differ,
                     "cells": [_cell(t, diff_keys) for t in tests]})
    rows.sort(key=lambda r: (not r["differs"], not r["diff_keys"], order.get(r["behaviour"], 1 << 20), r["id"]))

    claims = []
    per_column = [report_mod.claim_verdicts(c.data, catalog) for c in columns]
    for cid, claim in catalog.claims.items():
        cells = [v[cid] for v in per_column]
        claims.append({"id": cid, "says": claim.says, "not_applicable": claim.not_applicable,
                       "cells": [{"verdict": v["verdict"], "details": v["details"], "tests": v["tests"]}
                                 for v in cells],
                       "differs": len({v["verdict"] for v in cells}) > 1})

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
                           "linux": b.linux if b else "", "differs": any(r["differs"] for r in rows
                                                                          if r["behaviour"] == name),
                           "ladders": ladders})

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
    # The behaviour shown beside the claims: the first that differs (the
    # backlog, where there is one), so the page's first screen shows a ladder.
    featured = next((b for b in behaviours if b["differs"] and b["name"] == "tcp_listen_backlog"),
                    next((b for b in behaviours if b["differs"]), None))
    return {"columns": [c.label for c in columns], "environments": envs, "claims": claims, "rows": rows,
            "featured": featured,
            "behaviours": behaviours,
            "differing": [r for r in rows if r["differs"]],
            "differing_behaviours": [b["name"] for b in behaviours if b["differs"]]}


def _display_path(p: Path) -> str:
    p = p.resolve()
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(model: dict[str, Any]) -> str:
    cols = model["columns"]
    lines = ["# sockspec: kernels compared", "",
             f"{len(cols)} results: " + ", ".join(f"**{c}**" for c in cols) + ". "
             f"{len(model['differing'])} of {len(model['rows'])} tests differ between them"
             + (f" (behaviours: {', '.join(model['differing_behaviours'])})." if model["differing_behaviours"] else "."),
             "", "## The seed's claims", "",
             "| claim | the seed says | " + " | ".join(_md(c) for c in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for cl in model["claims"]:
        cells = []
        for cell in cl["cells"]:
            detail = "; ".join(cell["details"])
            cells.append(f"**{cell['verdict']}**" + (f": {_md(detail[:200])}" if detail else ""))
        lines.append(f"| {cl['id']}{' ≠' if cl['differs'] else ''} | {_md(cl['says'])} | " + " | ".join(cells) + " |")
    lines += ["", "## Behaviour x kernel", "",
              "Rows whose results differ between kernels come first (marked ≠; the differing values in bold).", "",
              "| test | claims | " + " | ".join(_md(c) for c in cols) + " |", "|---|---|" + "---|" * len(cols)]
    for r in model["rows"]:
        cells = []
        for cell in r["cells"]:
            parts = [f"**{cell['outcome']}**" + (f" ({_md(cell['reason'][:120])})" if cell["reason"] else "")]
            parts += [f"{v['claim']} {v['verdict']}" for v in cell["verdicts"]]
            parts += [f"**{o['key']}={_md(o['value'])}**" if o["differs"] else f"{o['key']}={_md(o['value'])}"
                      for o in cell["observed"][:8]]
            cells.append("<br>".join(parts))
        head = f"{'≠ ' if r['differs'] else ''}`{r['id']}`" + (" (control)" if r["control"] else "")
        lines.append(f"| {head} | {_md(', '.join(r['claims']) or '-')}; {_md('; '.join(r['sources']))} | "
                     + " | ".join(cells) + " |")
    lines += ["", "## Environments", ""]
    for e in model["environments"]:
        s = e["summary"]
        lines += [f"### {e['label']}", "",
                  f"- results: `{e['directory']}`; {s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, "
                  f"{s['error']} errors, {s.get('varying', 0)} varying",
                  f"- target `{e['target']}`, kernel `{e['kernel_release']}` (`{_md(e['kernel_version'])}`), {e['machine']}"]
        lines += [f"- {k}: `{_md(v)}`" for k, v in e["tools"].items()]
        lines += [f"- {k}: `{_md(v)}`" for k, v in e["extra"].items()]
        if e["sysctls"]:
            lines.append("- sysctls: " + ", ".join(f"`{k}={v}`" for k, v in e["sysctls"].items()))
        lines.append("")
    lines += ["## Ladders", "", "Each behaviour's first probe run on each kernel: packets and syscalls on one time axis.", ""]
    for b in model["behaviours"]:
        lines += [f"### {b['name']}{' ≠' if b['differs'] else ''}", "", f"{_md(b['title'])}. "
                  f"Claims: {', '.join(b['claims']) or '-'}. Sources: {'; '.join(b['sources'])}.", ""]
        for lad in b["ladders"]:
            lines += [f"<details><summary>{lad['test']} on {lad['column']} ({lad['outcome']})"
                      + (f": {_md('; '.join(lad['notes']))}" if lad["notes"] else "") + "</summary>", "",
                      "```", lad["text"].rstrip("\n"), "```", "", "</details>", ""]
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
    html, md = render_html(model), render_markdown(model)
    tmps = []
    try:
        tmps = [_write_atomic(out, html), _write_atomic(md_path, md)]
        os.replace(tmps[0], out)
        os.replace(tmps[1], md_path)
    finally:
        for t in tmps:
            t.unlink(missing_ok=True)
    return out, md_path


__all__ = ["compare", "build_model", "load_columns", "render_html", "render_markdown", "ResultsError"]
