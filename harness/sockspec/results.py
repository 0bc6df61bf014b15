"""The results file: what a suite run on one target found.

    {
      "schema_version": 1,
      "environment": {target, kernel_release, kernel_version, machine, sysctls,
                      tcpdump_version, libpcap_version, compiler, suite_revision,
                      started_at, duration_s, ...},
      "tests": [{id, nodeid, behaviour, title, family, control, claims, sources,
                 outcome, reason, observations, pcap, duration_s, claim_verdicts, runs}],
      "summary": {"pass": n, "fail": n, "skip": n, "error": n}
    }

`pcap` paths are relative to the results directory. `outcome` is one of
pass, fail, skip, error. A claim verdict is one of holds, partly, does not hold,
not applicable, with the observed detail.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import ResultsError

SCHEMA_VERSION = 1
OUTCOMES = ("pass", "fail", "skip", "error")
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
        raise ResultsError(f"{source}: schema_version {version!r}, this sockspec reads {SCHEMA_VERSION}")
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
        for v in t.get("claim_verdicts", []):
            if not isinstance(v, dict) or v.get("verdict") not in VERDICTS:
                raise ResultsError(f"{source}: tests[{i}] ({t['id']}) has a claim verdict that is not one of "
                                   f"{', '.join(VERDICTS)}")
    return data


def load(path: Path) -> dict[str, Any]:
    """A results file, or a results directory holding results.json."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: cannot read: {e}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ResultsError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None
    return validate(data, str(path))
