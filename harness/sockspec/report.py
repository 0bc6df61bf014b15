"""Human-readable summaries of results files."""
from __future__ import annotations

from pathlib import Path

from . import catalog as catalog_mod
from . import results as results_mod
from .expect import short
from .markdown import md, md_code


def _evidence(pairs: list[tuple[dict, dict]], limit: int = 4) -> list[str]:
    """Checks as evidence, with what this stack showed: one line per check of a
    behaviour (its tests for each family and parameter together)."""
    groups: dict[tuple, list[tuple[dict, dict]]] = {}
    for t, c in pairs:
        groups.setdefault((t["behaviour"], c["id"], c["outcome"]), []).append((t, c))
    lines = []
    for (behaviour, cid, outcome), members in groups.items():
        c = members[0][1]
        seen = sorted({c["reason"] if outcome == "unobservable" else short(m["seen"], 60) for _, m in members})
        tests = f" in {len(members)} tests" if len(members) > 1 else ""
        lines.append(f"{behaviour} {cid}: {c['says']} ({outcome}{tests}: seen {'; '.join(seen[:3])})")
    if len(lines) > limit:
        lines = lines[:limit] + [f"and {len(lines) - limit} more checks"]
    return lines


def claim_verdicts(data: dict, catalog: catalog_mod.Catalog) -> dict[str, dict]:
    """Each seed claim's verdict on this run, from the checks tied to it alone
    (`claim=` supports it when the check passes, `refutes=` contradicts it
    when the check passes): all for it "holds", all against "does not hold",
    both "partly", a check whose repeats disagree "varies"; tied checks none
    of which could be judged, or tests the stack could not run (skipped),
    "unobservable" with the reasons; no tied check "untested". A failed check tied to nothing, or to another claim, is no
    evidence here."""
    out: dict[str, dict] = {}
    for cid, claim in catalog.claims.items():
        if claim.not_applicable:
            out[cid] = {"verdict": "not applicable", "details": [claim.not_applicable], "tests": []}
            continue
        tests = [t for t in data["tests"] if cid in t["claims"]]
        tied = [(t, c) for t in tests for c in t["checks"] if cid in (c.get("claim"), c.get("refutes"))]
        judged = [(t, c) for t, c in tied if c["outcome"] in ("pass", "fail")]
        if judged:
            supports, against = [], []
            for t, c in judged:
                (supports if (c["outcome"] == "pass") == (c.get("claim") == cid) else against).append((t, c))
            mixed = [(t, c) for t, c in judged
                     if len({i["outcome"] for i in c.get("iterations", [])} - {"unobservable"}) > 1]
            if mixed:
                verdict, shown = "varies", mixed
            elif not against:
                verdict, shown = "holds", supports
            elif not supports:
                verdict, shown = "does not hold", against
            else:
                verdict, shown = "partly", against + supports
            details = _evidence(shown)
        elif tied:
            verdict = "unobservable"
            details = _evidence(tied)
        elif any(t["outcome"] == "skip" for t in tests):
            # The stack could not run them (no sock_diag, a sysctl it lacks): that is not observing.
            verdict = "unobservable"
            details = sorted({f"{t['behaviour']}: {first_line(t.get('reason')) or 'skipped'}"
                              for t in tests if t["outcome"] == "skip"})[:4]
        else:
            verdict = "untested"
            details = ["no check tied to this claim was run"] if tests else []
        out[cid] = {"verdict": verdict, "details": details, "tests": sorted({t["id"] for t in tests})}
    return out


def first_line(text) -> str:
    return str(text).strip().splitlines()[0] if text and str(text).strip() else ""


def summary_markdown(data: dict, catalog: catalog_mod.Catalog | None = None) -> str:
    catalog = catalog or catalog_mod.default()
    env, s = data["environment"], data["summary"]
    lines = [f"# sockspec on {md(env['target'])}: {md(env['kernel_release'])}", "",
             f"{s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, {s['error']} errors"
             + (f", {s['varying']} varying (repeated {env.get('repeat')} times)" if s.get("varying") else "") + " "
             f"({len(data['tests'])} tests, {md(env.get('duration_s', '?'))} s, suite {md(env.get('suite_revision'))}, "
             f"started {md(env.get('started_at'))}).", "",
             f"Kernel {md_code(env['kernel_version'])} on {md(env['machine'])}; tcpdump {md(env.get('tcpdump_version'))}, "
             f"libpcap {md(env.get('libpcap_version'))}.", "", "## The seed's claims", "",
             "| claim | the seed says | verdict | what was observed |", "|---|---|---|---|"]
    for cid, v in claim_verdicts(data, catalog).items():
        detail = "; ".join(v["details"]) or ", ".join(v["tests"])
        lines.append(f"| {cid} | {md(catalog.claims[cid].says)} | **{v['verdict']}** | {md(detail)} |")
    lines += ["", "## Tests", "", "| test | outcome | checks | failed or unobservable |", "|---|---|---|---|"]
    for t in data["tests"]:
        outcome = t["outcome"] + (f": {first_line(t.get('reason'))}" if t.get("reason") and t["outcome"] != "pass" else "")
        control = " (negative control)" if t.get("control") else ""
        notable = [f"{c['id']} {c['outcome']}" + (f" ({c['reason']})" if c.get("reason") else "")
                   for c in t["checks"] if c["outcome"] != "pass"]
        lines.append(f"| {md_code(t['id'])}{control} | {md(outcome[:200])} | {len(t.get('checks', []))} | "
                     f"{md('; '.join(notable)[:300])} |")
    sysctls = env.get("sysctls") or {}
    if sysctls:
        lines += ["", "## Namespace sysctls (defaults in a fresh test namespace)", ""]
        lines += [f"- {md_code(k)} = {md_code(v)}" for k, v in sysctls.items()]
    return "\n".join(lines) + "\n"


def write_summary(directory: Path) -> Path:
    data = results_mod.load(directory)
    path = Path(directory) / "summary.md"
    path.write_text(summary_markdown(data))
    return path
