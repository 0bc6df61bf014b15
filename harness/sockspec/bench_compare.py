"""scripts/bench-compare: the seconds `compare` takes on a results directory
of N tests, made by repeating the tests of a real one. A benchmark, not a
test: it asserts nothing (harness/tests/test_compare.py checks linearity by
lines executed, which load does not change)."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from . import compare, results
from .errors import UsageError
from .paths import REPO

USAGE = "usage: scripts/bench-compare [TESTS (a whole number >= 1, default 20000)] [RESULTS_DIR]"


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (argv and not argv[0].isdigit()) or (argv and int(argv[0]) < 1):
        raise UsageError(USAGE)
    count = int(argv[0]) if argv else 20_000
    if len(argv) > 1:
        source = Path(argv[1])
    else:
        hosts = sorted((REPO / "results").glob("host-*"))
        if not hosts:
            raise UsageError("no results/host-* directory: give RESULTS_DIR")
        source = hosts[0]
    data = results.load(source)
    if not data["tests"]:
        raise UsageError(f"{source}: no tests to repeat")
    tests = []
    for i in range(count):
        test = json.loads(json.dumps(data["tests"][i % len(data["tests"])]))
        test.update(id=f"{test['id']}#{i}", nodeid=f"{test['nodeid']}#{i}", runs=[], pcap=None)
        tests.append(test)
    data.update(tests=tests, summary=results.summarize(tests))
    with tempfile.TemporaryDirectory(prefix="sockspec-bench-compare-") as tmp:
        directory = Path(tmp) / "big"
        directory.mkdir()
        (directory / "results.json").write_text(json.dumps(data))
        t0 = time.monotonic()
        compare.compare([directory, directory], Path(tmp) / "report.html")
        elapsed = time.monotonic() - t0
    print(f"compare of two columns of {count} tests (repeated from {source}): {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print(f"bench-compare: {e}", file=sys.stderr)
        sys.exit(2)
