"""The results file: what a suite run on one target found.

    {
      "schema_version": 3,
      "environment": {target, kernel_release, kernel_version, machine, sysctls,
                      tcpdump_version, libpcap_version, compiler, suite_revision,
                      started_at, duration_s, ...},
      "tests": [{id, nodeid, behaviour, title, family, control, claims, sources,
                 outcome, reason, observations, observation_kinds, checks, pcap,
                 duration_s, runs, variance}],
      "summary": {"pass": n, "fail": n, "skip": n, "error": n, "varying": n}
    }

`pcap` paths are relative to the results directory. `outcome` is one of
pass, fail, skip, error, varying. Claim verdicts are not stored: a report
derives them from the checks tied to each claim (report.claim_verdicts).

Repeats (schema 2). `environment.repeat` is N from `--repeat N` (1 by
default): the test body ran N times ("iterations"), each probe invocation once
per iteration. Every probe run is kept in `runs`, each with its `iteration`
(1..N). `observations` and `pcap` are the first run's. A test whose outcome
or observations differ between iterations has outcome `varying` (never pass or
fail) and a `variance` object:

    "variance": {"iterations": N,
                 "outcomes": {"pass": 14, "fail": 6},
                 "observations": {"queued": [[2, 11], [3, 7], [4, 2]], ...},
                 "timing": {"client_states": [[["ESTABLISHED", "none"], 2], ...]}}

`variance.observations` lists, for each observation key whose value differed
between runs of the same probe invocation, [value, count] pairs, most common
first; `reason` then reads like "queued: 2 x11, 3 x7, 4 x2". `variance` is
present on every test of a repeated run (empty `observations` when nothing
varied) and absent when N is 1. `variance.timing` holds the same for the
observations the catalog declares timing-dependent: shown, never "varying".

Checks (schema 3). `checks` lists the test's named checks (expect.py), each
{id, says, outcome (pass, fail, unobservable), relation, expected, seen,
reason, claim, refutes, source, evaluations, failures}; repeated, each also
has `iterations` [{iteration, outcome, seen}]. A value the probe could not
obtain is {"unobservable": "<reason>"}. `observation_kinds` marks each
observation key behaviour, context or timing (the catalog's declarations).

Schema 1 and 2 files (no checks) are refused with one clear line: a report
built from them would compare raw observations again.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from . import untrusted
from .errors import ResultsError

SCHEMA_VERSION = 3
OUTCOMES = ("pass", "fail", "skip", "error", "varying")
CHECK_OUTCOMES = ("pass", "fail", "unobservable")
OBSERVATION_KINDS = ("behaviour", "context", "timing")
REQUIRED_ENVIRONMENT = ("target", "kernel_release", "kernel_version", "machine")


def summarize(tests: list[dict[str, Any]]) -> dict[str, int]:
    counts = {o: 0 for o in OUTCOMES}
    for t in tests:
        counts[t["outcome"]] += 1
    return counts


def write_json_atomic(path: Path, data: Any) -> None:
    """Writes through a temporary file and a rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Where:
    """Where a field is, for the one line that says what is wrong with it."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, wanted: str) -> None:
        raise ResultsError(f"{self.source}: {path} must be {wanted}")


def _is(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "str?":
        return value is None or isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "int?":
        return value is None or _is(value, "int")
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise AssertionError(kind)


_WANTED = {"str": "a string", "str?": "a string or null", "int": "an integer", "int?": "an integer or null",
           "number": "a number", "list": "a list", "dict": "an object", "strs": "a list of strings"}

TEST_FIELDS = {"id": "str", "nodeid": "str", "behaviour": "str", "title": "str", "family": "str?",
               "control": "str?", "claims": "strs", "sources": "strs", "outcome": "str", "reason": "str?",
               "observations": "dict", "observation_kinds": "dict", "checks": "list", "pcap": "str?",
               "duration_s": "number", "runs": "list"}
RUN_FIELDS = {"probe": "str", "args": "strs", "sysctls": "dict", "faults": "list", "exit_code": "int?",
              "observations": "dict", "pcap": "str?", "events": "str?", "wire_unavailable": "str?",
              "duration_s": "number", "iteration": "int"}
CHECK_FIELDS = {"id": "str", "says": "str", "outcome": "str", "relation": "str", "reason": "str?",
                "claim": "str?", "refutes": "str?", "source": "str", "evaluations": "int", "failures": "int"}


def _fields(where: _Where, path: str, obj: Any, fields: dict[str, str]) -> None:
    if not isinstance(obj, dict):
        where.fail(path, "an object")
    for key, kind in fields.items():
        if key not in obj:
            where.fail(f"{path}.{key}", _WANTED[kind] + " (it is missing)")
        if not _is(obj[key], kind):
            where.fail(f"{path}.{key}", _WANTED[kind])


def validate(data: Any, source: str) -> dict[str, Any]:
    """Checks every field of a loaded results document; raises ResultsError
    naming the first one that is wrong."""
    where = _Where(source)
    if not isinstance(data, dict):
        raise ResultsError(f"{source}: not a results file (the top level is not an object)")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultsError(f"{source}: schema_version {version!r}, this sockspec reads only {SCHEMA_VERSION}"
                           + (" (re-run the suite to regenerate it)" if isinstance(version, int) else ""))
    env = data.get("environment")
    if not isinstance(env, dict):
        where.fail("environment", "an object")
    for key in REQUIRED_ENVIRONMENT:
        if not isinstance(env.get(key), str):
            where.fail(f"environment.{key}", "a string")
    if not isinstance(env.get("sysctls", {}), dict):
        where.fail("environment.sysctls", "an object")
    tests = data.get("tests")
    if not isinstance(tests, list):
        where.fail("tests", "a list")
    ids = set()
    for i, t in enumerate(tests):
        path = f"tests[{i}]"
        _fields(where, path, t, TEST_FIELDS)
        if t["id"] in ids:
            where.fail(f"{path}.id", f"unique ({t['id']!r} is there twice)")
        ids.add(t["id"])
        if t["outcome"] not in OUTCOMES:
            where.fail(f"{path}.outcome", "one of " + ", ".join(OUTCOMES))
        for k, kind in t["observation_kinds"].items():
            if kind not in OBSERVATION_KINDS:
                where.fail(f"{path}.observation_kinds.{k}", "one of " + ", ".join(OBSERVATION_KINDS))
        for j, r in enumerate(t["runs"]):
            _fields(where, f"{path}.runs[{j}]", r, RUN_FIELDS)
        check_ids = set()
        for j, c in enumerate(t["checks"]):
            _fields(where, f"{path}.checks[{j}]", c, CHECK_FIELDS)
            if c["outcome"] not in CHECK_OUTCOMES:
                where.fail(f"{path}.checks[{j}].outcome", "one of " + ", ".join(CHECK_OUTCOMES))
            if "expected" not in c or "seen" not in c:
                where.fail(f"{path}.checks[{j}]", "an object with expected and seen")
            if c["id"] in check_ids:
                where.fail(f"{path}.checks[{j}].id", f"unique in its test ({c['id']!r} is there twice)")
            check_ids.add(c["id"])
            its = c.get("iterations", [])
            if not isinstance(its, list) or not all(isinstance(x, dict) and x.get("outcome") in CHECK_OUTCOMES
                                                    and _is(x.get("iteration"), "int") for x in its):
                where.fail(f"{path}.checks[{j}].iterations", "a list of {iteration, outcome, seen}")
        variance = t.get("variance")
        if t["outcome"] == "varying" and not isinstance(variance, dict):
            where.fail(f"{path}.variance", "an object (the test is varying)")
        if variance is not None:
            if (not isinstance(variance, dict) or not _is(variance.get("iterations"), "int")
                    or not isinstance(variance.get("outcomes"), dict)
                    or not isinstance(variance.get("observations"), dict)
                    or not isinstance(variance.get("timing", {}), dict)
                    or not all(isinstance(d, list) and all(isinstance(p, list) and len(p) == 2 for p in d)
                               for d in [*variance["observations"].values(), *variance.get("timing", {}).values()])):
                where.fail(f"{path}.variance",
                           "{iterations: int, outcomes: {...}, observations: {key: [[value, count], ...]}}")
    summary = data.get("summary")
    if (not isinstance(summary, dict) or any(not _is(summary.get(o), "int") for o in OUTCOMES[:4])
            or not _is(summary.get("varying", 0), "int")):
        where.fail("summary", f"an object counting the outcomes ({', '.join(OUTCOMES)})")
    return data


VOLATILE_KEY = re.compile(r"(_ms|_us|_ns|_s|_real|_mono)$")
_ADDR = re.compile(r"^(\[[0-9a-fA-F:.]+\]|\d+\.\d+\.\d+\.\d+):\d+$")


def normalise(value: Any) -> Any:
    """An observation with what legitimately changes between runs taken out,
    for comparing runs and kernels: the ports of address strings (ephemeral
    ports), and durations and timestamps (keys ending in _ms, _us, _ns, _s)."""
    if isinstance(value, str):
        return _ADDR.sub(r"\1:*", value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if not VOLATILE_KEY.search(k)}
    return value


def distribution(values: list[Any]) -> list[list[Any]]:
    """[[value, count], ...] most common first; values compared as JSON."""
    counts: dict[str, list[Any]] = {}
    for v in values:
        key = json.dumps(v, sort_keys=True)
        counts.setdefault(key, [v, 0])[1] += 1
    return sorted(counts.values(), key=lambda p: (-p[1], json.dumps(p[0], sort_keys=True)))


def describe_distribution(pairs: list[list[Any]]) -> str:
    """"2 x11, 3 x7, 4 x2"."""
    return ", ".join(f"{json.dumps(v) if isinstance(v, (list, dict)) else v} x{n}" for v, n in pairs)


def load(path: Path) -> dict[str, Any]:
    """A results file, or a results directory holding results.json."""
    path = Path(path)
    try:
        if path.is_dir():
            data = untrusted.read_inside(path, "results.json", untrusted.MAX_RESULTS_BYTES)
            path = path / "results.json"
        else:
            data = untrusted.read_file(path, untrusted.MAX_RESULTS_BYTES)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no results.json in it") from None
    return validate(untrusted.load_json(data, str(path)), str(path))
