"""The results file: what a suite run on one target found.

    {
      "schema_version": 2,
      "environment": {target, kernel_release, kernel_version, machine, sysctls,
                      tcpdump_version, libpcap_version, compiler, suite_revision,
                      started_at, duration_s, ...},
      "tests": [{id, nodeid, behaviour, title, family, control, claims, sources,
                 outcome, reason, observations, pcap, duration_s, claim_verdicts, runs,
                 variance}],
      "summary": {"pass": n, "fail": n, "skip": n, "error": n, "varying": n}
    }

`pcap` paths are relative to the results directory. `outcome` is one of
pass, fail, skip, error, varying. A claim verdict is one of holds, partly,
does not hold, not applicable, with the observed detail.

Repeats (schema 2). `environment.repeat` is N from `--repeat N` (1 by
default): the test body ran N times ("iterations"), each probe invocation once
per iteration. Every probe run is kept in `runs`, each with its `iteration`
(1..N). `observations` and `pcap` are the first run's. A test whose outcome
or observations differ between iterations has outcome `varying` (never pass or
fail) and a `variance` object:

    "variance": {"iterations": N,
                 "outcomes": {"pass": 14, "fail": 6},
                 "observations": {"queued": [[2, 11], [3, 7], [4, 2]], ...}}

`variance.observations` lists, for each observation key whose value differed
between runs of the same probe invocation, [value, count] pairs, most common
first; `reason` then reads like "queued: 2 x11, 3 x7, 4 x2". `variance` is
present on every test of a repeated run (empty `observations` when nothing
varied) and absent when N is 1.

Schema 1 files (no repeats, no `varying`) are refused with a clear error:
`varying` changes what `outcome` may mean, so a reader of version 1 would
misread version 2 and the other way round. Re-run the suite to get version 2.
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

SCHEMA_VERSION = 2
OUTCOMES = ("pass", "fail", "skip", "error", "varying")
VERDICTS = ("holds", "partly", "does not hold", "not applicable")
REQUIRED_ENVIRONMENT = ("target", "kernel_release", "kernel_version", "machine")
REQUIRED_TEST = ("id", "behaviour", "claims", "outcome", "observations", "pcap", "duration_s")


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


def validate(data: Any, source: str) -> dict[str, Any]:
    """Checks a loaded results document; raises ResultsError naming what is wrong."""
    if not isinstance(data, dict):
        raise ResultsError(f"{source}: not a results file (the top level is not an object)")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultsError(f"{source}: schema_version {version!r}, this sockspec reads only {SCHEMA_VERSION}"
                           + (" (re-run the suite to regenerate it)" if isinstance(version, int) else ""))
    env = data.get("environment")
    if not isinstance(env, dict):
        raise ResultsError(f"{source}: no environment object")
    for key in REQUIRED_ENVIRONMENT:
        if not isinstance(env.get(key), str):
            raise ResultsError(f"{source}: environment.{key} is missing or not a string")
    tests = data.get("tests")
    if not isinstance(tests, list):
        raise ResultsError(f"{source}: no tests list")
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            raise ResultsError(f"{source}: tests[{i}] is not an object")
        for key in REQUIRED_TEST:
            if key not in t:
                raise ResultsError(f"{source}: tests[{i}] ({t.get('id', '?')}) has no {key}")
        if t["outcome"] not in OUTCOMES:
            raise ResultsError(f"{source}: tests[{i}] ({t['id']}) outcome {t['outcome']!r} is not one of "
                               f"{', '.join(OUTCOMES)}")
        if not isinstance(t["claims"], list) or not isinstance(t["observations"], dict):
            raise ResultsError(f"{source}: tests[{i}] ({t['id']}) claims must be a list, observations an object")
        runs = t.get("runs", [])
        if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
            raise ResultsError(f"{source}: tests[{i}] ({t['id']}) runs must be a list of objects")
        variance = t.get("variance")
        if t["outcome"] == "varying" and not isinstance(variance, dict):
            raise ResultsError(f"{source}: tests[{i}] ({t['id']}) is varying but has no variance object")
        if variance is not None:
            if (not isinstance(variance, dict) or not isinstance(variance.get("iterations"), int)
                    or not isinstance(variance.get("outcomes"), dict)
                    or not isinstance(variance.get("observations"), dict)
                    or not all(isinstance(d, list) and all(isinstance(p, list) and len(p) == 2 for p in d)
                               for d in variance["observations"].values())):
                raise ResultsError(f"{source}: tests[{i}] ({t['id']}) variance must be "
                                   "{iterations: int, outcomes: {...}, observations: {key: [[value, count], ...]}}")
        if not isinstance(t["duration_s"], (int, float)):
            raise ResultsError(f"{source}: tests[{i}] ({t['id']}) duration_s is not a number")
        for v in t.get("claim_verdicts", []):
            if not isinstance(v, dict) or v.get("verdict") not in VERDICTS:
                raise ResultsError(f"{source}: tests[{i}] ({t['id']}) has a claim verdict that is not one of "
                                   f"{', '.join(VERDICTS)}")
    summary = data.get("summary")
    if (not isinstance(summary, dict) or any(not isinstance(summary.get(o), int) for o in OUTCOMES[:4])
            or not isinstance(summary.get("varying", 0), int)):
        raise ResultsError(f"{source}: summary must count the outcomes ({', '.join(OUTCOMES)})")
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
