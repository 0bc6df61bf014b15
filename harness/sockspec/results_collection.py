"""Results collection: each test's runs and checks as a fragment (written by
whichever process ran the test), and on the controlling process the outcomes
from the reports, joined with the fragments into results.json at the end."""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from . import catalog as catalog_mod
from .environment import now_iso, suite_revision
from .netns import sweep_stale
from .catalog import CONTEXT_BY_NAME
from .results import (SCHEMA_VERSION, describe_distribution, distribution, normalise,
                      summarize, write_json_atomic)
from .run_api import CHECK_ITERATIONS_KEY, EXPECT_KEY, ITERATIONS_KEY, RUNS_KEY, Run, test_id

FRAGMENTS = ".fragments"


def write_fragment(item, b: catalog_mod.Behaviour, results_dir: Path) -> None:
    """The test's part of results.json, in results_dir/.fragments."""
    runs: list[Run] = item.stash.get(RUNS_KEY, [])
    params = item.callspec.params if hasattr(item, "callspec") else {}
    control = item.get_closest_marker("control")
    fragment = {
        "nodeid": item.nodeid, "id": test_id(item), "behaviour": b.name, "title": b.title,
        "family": params.get("family"), "control": control.args[0] if control else None,
        "claims": list(b.claims), "sources": list(b.sources),
        "runs": [_run_summary(r, results_dir) for r in runs],
        "iterations": item.stash.get(ITERATIONS_KEY, None),
        "checks": _checks_json(item, b),
        "observation_kinds": {k: b.kind_of(k) for r in runs for k in r.observations},
    }
    name = hashlib.sha1(item.nodeid.encode()).hexdigest()[:16]
    write_json_atomic(results_dir / FRAGMENTS / f"{name}.json", fragment)


def _run_summary(run: Run, results_dir: Path | None) -> dict[str, Any]:
    r = run.record
    def rel(path):
        if path is None:
            return None
        return os.path.relpath(path, results_dir) if results_dir else str(path)
    pcap = rel(r.pcap)
    return {"probe": r.invocation.probe, "args": r.invocation.args, "sysctls": r.invocation.sysctls,
            "faults": [vars(f) for f in r.invocation.faults], "exit_code": r.exit_code,
            "observations": r.observations, "pcap": pcap, "events": rel(r.events_path), "wire_unavailable": r.wire_unavailable,
            "duration_s": round(r.duration_s, 4), "iteration": getattr(run, "iteration", 1)}


def _checks_json(item, b: catalog_mod.Behaviour) -> list[dict[str, Any]]:
    """The test's checks as results store them. Repeated (--sockspec-repeat):
    one entry per check id with each iteration's outcome and seen value, its
    outcome the worst of them (fail, then unobservable, then pass)."""
    source = "; ".join(b.sources)
    iterations = item.stash.get(CHECK_ITERATIONS_KEY, None)
    if not iterations:
        expect = item.stash.get(EXPECT_KEY, None)
        return [c.to_json(source) for c in expect.checks.values()] if expect is not None else []
    merged: dict[str, dict[str, Any]] = {}
    rank = {"fail": 0, "unobservable": 1, "pass": 2}
    for i, checks in enumerate(iterations, 1):
        for c in checks.values():
            entry = c.to_json(source)
            first = merged.setdefault(c.id, {**entry, "iterations": []})
            first["iterations"].append({"iteration": i, "outcome": entry["outcome"], "seen": entry["seen"]})
            if rank[entry["outcome"]] < rank[first["outcome"]]:
                first.update(outcome=entry["outcome"], seen=entry["seen"], expected=entry["expected"],
                             reason=entry["reason"])
    return list(merged.values())


class ResultsCollector:
    """On the controlling process: outcomes from the reports, the rest from the
    fragments the (possibly parallel) workers wrote; results.json at the end."""

    def __init__(self, config, directory: Path):
        self.config = config
        self.directory = directory
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.started_at = now_iso()
        self.t0 = time.monotonic()
        directory.mkdir(parents=True, exist_ok=True)

    def pytest_sessionstart(self, session):
        sweep_stale()

    def pytest_runtest_logreport(self, report):
        entry = self.outcomes.setdefault(report.nodeid, {"outcome": "pass", "reason": None, "duration_s": 0.0})
        entry["duration_s"] += report.duration
        error = any(k == "sockspec_error" for k, _ in report.user_properties)
        if report.when == "call":
            if report.skipped:
                entry.update(outcome="skip", reason=_skip_reason(report))
            elif report.failed:
                entry.update(outcome="error" if error else "fail", reason=_failure_reason(report))
        elif report.failed:
            entry.update(outcome="error", reason=f"{report.when}: {_failure_reason(report)}")
        elif report.skipped and report.when == "setup":
            entry.update(outcome="skip", reason=_skip_reason(report))

    def pytest_sessionfinish(self, session, exitstatus):
        fragments_dir = self.directory / FRAGMENTS
        fragments, environment, boots = {}, None, []
        if fragments_dir.is_dir():
            for f in sorted(fragments_dir.iterdir()):
                data = json.loads(f.read_text())
                if f.name.startswith("environment-"):
                    environment = environment or data
                    boots += [b["boot_s"] for b in data.get("boots") or [] if b.get("boot_s") is not None]
                else:
                    fragments[data["nodeid"]] = data
        tests = []
        for nodeid, outcome in self.outcomes.items():
            frag = fragments.get(nodeid)
            if frag is None:  # not a suite test (no behaviour): not part of the results
                continue
            runs = frag.pop("runs")
            iterations = frag.pop("iterations", None)
            first = runs[0] if runs else {}
            test = {**frag, **outcome, "duration_s": round(outcome["duration_s"], 4),
                    "observations": first.get("observations", {}), "pcap": first.get("pcap"),
                    "runs": runs}
            repeat = self.config.getoption("sockspec_repeat")
            if repeat > 1:
                apply_variance(test, iterations or [], repeat)
            tests.append(test)
        tests.sort(key=lambda t: t["nodeid"])
        environment = dict(environment or {"target": self.config.getoption("sockspec_target"),
                                           "kernel_release": "unknown", "kernel_version": "unknown",
                                           "machine": "unknown"})
        environment.update(suite_revision=suite_revision(), started_at=self.started_at,
                           duration_s=round(time.monotonic() - self.t0, 2),
                           repeat=self.config.getoption("sockspec_repeat"))
        if boots:  # every worker's guests: the environment above is the first worker's
            environment["all_workers_boot_s"] = boots
        document = {"schema_version": SCHEMA_VERSION, "environment": environment, "tests": tests,
                    "summary": summarize(tests)}
        write_json_atomic(self.directory / "results.json", document)
        if fragments_dir.is_dir():
            for f in fragments_dir.iterdir():
                f.unlink()
            fragments_dir.rmdir()
        sweep_stale()


def apply_variance(test: dict[str, Any], iterations: list[str], repeat: int) -> None:
    """Fills test["variance"]; a test whose iterations' outcomes or behaviour
    observations differ becomes "varying", its reason the distribution. A
    timing-dependent observation (catalog `timing`) keeps its distribution in
    variance.timing and makes nothing varying."""
    outcomes = list(iterations) or ([test["outcome"]] * repeat if test["outcome"] != "skip" else [])
    # The k-th probe run of each iteration is the same invocation: compare those.
    by_slot: dict[int, list[dict[str, Any]]] = {}
    counters: dict[int, int] = {}
    for r in test["runs"]:
        it = r.get("iteration", 1)
        k = counters.get(it, 0)
        counters[it] = k + 1
        by_slot.setdefault(k, []).append(r)
    varying: dict[str, list[list[Any]]] = {}
    timing: dict[str, list[list[Any]]] = {}
    for k, slot in sorted(by_slot.items()):
        if len(slot) < 2:
            continue
        keys = sorted({key for r in slot for key in r["observations"]})
        kinds = test.get("observation_kinds", {})
        for key in keys:
            # Context differs between runs by nature.
            if CONTEXT_BY_NAME.search(key) or kinds.get(key, "behaviour") == "context":
                continue
            values = [normalise(r["observations"].get(key)) for r in slot]
            dist = distribution(values)
            if len(dist) > 1:
                name = key if len(by_slot) == 1 else f"run {k + 1} {key}"
                (timing if kinds.get(key) == "timing" else varying).setdefault(name, dist)
    outcome_counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
    test["variance"] = {"iterations": repeat, "outcomes": outcome_counts, "observations": varying,
                        "timing": timing}
    if test["outcome"] == "skip":
        return
    if len(outcome_counts) > 1 or varying:
        parts = []
        if len(outcome_counts) > 1:
            parts.append("outcome: " + ", ".join(f"{o} x{n}" for o, n in outcome_counts.items()))
        parts += [f"{key}: {describe_distribution(dist)}" for key, dist in varying.items()]
        test["outcome"] = "varying"
        test["reason"] = "; ".join(parts)


def _failure_reason(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.strip()
    return str(report.longrepr).strip().splitlines()[-1] if report.longrepr else "failed"


def _skip_reason(report) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return "skipped"
