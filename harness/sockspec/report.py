"""Human-readable summaries of results files."""
from __future__ import annotations

from pathlib import Path

from . import catalog as catalog_mod
from . import results as results_mod


def claim_verdicts(data: dict, catalog: catalog_mod.Catalog) -> dict[str, dict]:
    """Each seed claim's verdict on this run: the tests' explicit verdicts
    (the weakest wins), else from the outcomes of the tests that name the
    claim: any fail "does not hold", else any varying "varies", else any pass
    "holds", else "untested" (skipped, or errors: the probe could not run)."""
    order = {"does not hold": 0, "partly": 1, "holds": 2}
    out: dict[str, dict] = {}
    for cid, claim in catalog.claims.items():
        if claim.not_applicable:
            out[cid] = {"verdict": "not applicable", "details": [claim.not_applicable], "tests": []}
            continue
        tests = [t for t in data["tests"] if cid in t["claims"]]
        explicit = [v for t in tests for v in t.get("claim_verdicts", []) if v["claim"] == cid]
        if explicit:
            worst = min(explicit, key=lambda v: order.get(v["verdict"], 1))
            verdict = worst["verdict"]
            details = sorted({v["detail"] for v in explicit if v["verdict"] == verdict})
        elif tests:
            # A failed check is evidence against the claim; an error (the probe
            # could not run to its end) is no evidence either way; a varying
            # test is evidence of nondeterminism.
            failed = [t for t in tests if t["outcome"] == "fail"]
            varying = [t for t in tests if t["outcome"] == "varying"]
            errored = [t for t in tests if t["outcome"] == "error"]
            if failed:
                verdict, shown = "does not hold", failed
            elif varying:
                verdict, shown = "varies", varying
            elif any(t["outcome"] == "pass" for t in tests):
                verdict, shown = "holds", []
            else:
                verdict, shown = "untested", errored
            details = [f"{t['id']}: {(t['reason'] or '').splitlines()[0] if t['reason'] else t['outcome']}"
                       for t in shown]
        else:
            verdict, details = "untested", []
        out[cid] = {"verdict": verdict, "details": details, "tests": [t["id"] for t in tests]}
    return out


def summary_markdown(data: dict, catalog: catalog_mod.Catalog | None = None) -> str:
    catalog = catalog or catalog_mod.default()
    env, s = data["environment"], data["summary"]
    lines = [f"# sockspec on {env['target']}: {env['kernel_release']}", "",
             f"{s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, {s['error']} errors"
             + (f", {s['varying']} varying (repeated {env.get('repeat')} times)" if s.get("varying") else "") + " "
             f"({len(data['tests'])} tests, {env.get('duration_s', '?')} s, suite {env.get('suite_revision')}, "
             f"started {env.get('started_at')}).", "",
             f"Kernel `{env['kernel_version']}` on {env['machine']}; tcpdump {env.get('tcpdump_version')}, "
             f"libpcap {env.get('libpcap_version')}.", "", "## The seed's claims", "",
             "| claim | the seed says | verdict | what was observed |", "|---|---|---|---|"]
    for cid, v in claim_verdicts(data, catalog).items():
        says = catalog.claims[cid].says.replace("|", "\\|")
        detail = "; ".join(v["details"]).replace("|", "\\|") or ", ".join(v["tests"])
        lines.append(f"| {cid} | {says} | **{v['verdict']}** | {detail} |")
    lines += ["", "## Tests", "", "| test | outcome | claims | observed |", "|---|---|---|---|"]
    for t in data["tests"]:
        outcome = t["outcome"] + (f": {t['reason'].splitlines()[0]}" if t.get("reason") and t["outcome"] != "pass" else "")
        control = " (negative control)" if t.get("control") else ""
        obs = ", ".join(f"{k}={v}" for k, v in t["observations"].items()
                        if not isinstance(v, (list, dict)) and not k.endswith("_addr"))
        lines.append(f"| `{t['id']}`{control} | {outcome.replace('|', '/')} | {', '.join(t['claims'])} | "
                     f"{obs[:160].replace('|', '/')} |")
    sysctls = env.get("sysctls") or {}
    if sysctls:
        lines += ["", "## Namespace sysctls (defaults in a fresh test namespace)", ""]
        lines += [f"- `{k}` = `{v}`" for k, v in sysctls.items()]
    return "\n".join(lines) + "\n"


def write_summary(directory: Path) -> Path:
    data = results_mod.load(directory)
    path = Path(directory) / "summary.md"
    path.write_text(summary_markdown(data))
    return path
