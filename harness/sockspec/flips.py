"""scripts/bench-flips N: the suite run N times, and every test whose outcome
changed between runs. A benchmark, not a test: it asserts nothing.

    scripts/bench-flips N [--stress] [--target T] [-k EXPR] [--jobs J] [--keep]

--stress runs `stress-ng --cpu 2` for the whole benchmark (installed with
apt-get the first time it is asked for), the load under which a timing
assumption shows itself.
"""
from __future__ import annotations

import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import results
from .command_line import Parser, whole_number
from .errors import SockspecError
from .paths import REPO
from .processes import die_with_parent


def start_stress() -> subprocess.Popen:
    if shutil.which("stress-ng") is None:
        print("bench-flips: installing stress-ng (asked for by --stress)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "stress-ng"],
                       check=True, stdout=subprocess.DEVNULL)
    return subprocess.Popen(["stress-ng", "--cpu", "2", "--quiet"], stdout=subprocess.DEVNULL,
                            preexec_fn=die_with_parent(), start_new_session=True)


def outcomes_by_test(directories: list[Path]) -> dict[str, collections.Counter]:
    by_test: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for directory in directories:
        for test in results.load(directory)["tests"]:
            by_test[test["id"]][test["outcome"]] += 1
    return by_test


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="bench-flips", description="run the suite N times; print the tests whose outcome changed")
    parser.add_argument("n", type=whole_number(2, 1000), metavar="N", help="how many runs")
    parser.add_argument("--stress", action="store_true", help="under stress-ng --cpu 2")
    parser.add_argument("--target", default="host")
    parser.add_argument("-k", default=None, metavar="EXPR")
    parser.add_argument("--jobs", "-j", default=None, metavar="J")
    parser.add_argument("--keep", action="store_true", help="keep each run's results directory")
    try:
        args = parser.parse_args(argv)
    except SockspecError as e:
        print(e, file=sys.stderr)
        return e.exit_code
    workdir = Path(tempfile.mkdtemp(prefix="sockspec-flips-"))
    stress = start_stress() if args.stress else None
    directories, incomplete = [], 0
    t0 = time.monotonic()
    try:
        for i in range(1, args.n + 1):
            out = workdir / f"run-{i}"
            argv_run = [str(REPO / "scripts" / "sockspec"), "run", "--target", args.target, "--out", str(out)]
            argv_run += (["-k", args.k] if args.k else []) + (["--jobs", args.jobs] if args.jobs else [])
            # Should bench-flips die, even by SIGKILL, the run unwinds as on SIGTERM.
            code = subprocess.run(argv_run, stdout=subprocess.DEVNULL,
                                  preexec_fn=die_with_parent(signal.SIGTERM)).returncode
            if (out / "results.json").exists():
                directories.append(out)
            else:
                incomplete += 1
            print(f"run {i}/{args.n}: exit {code} ({time.monotonic() - t0:.0f} s so far)", flush=True)
    finally:
        if stress is not None:
            os.killpg(stress.pid, signal.SIGKILL)
            stress.wait()
    by_test = outcomes_by_test(directories)
    flipped = {test: counts for test, counts in sorted(by_test.items()) if len(counts) > 1}
    for test, counts in flipped.items():
        print(f"{test}: " + ", ".join(f"{outcome} x{n}" for outcome, n in counts.most_common()))
    load = " under stress-ng --cpu 2" if args.stress else ""
    print(f"bench-flips: {len(directories)} complete runs{load} ({incomplete} incomplete), {len(by_test)} tests, "
          f"{len(flipped)} changed outcome, in {time.monotonic() - t0:.0f} s")
    if args.keep:
        print(f"results: {workdir}/run-*")
    else:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
