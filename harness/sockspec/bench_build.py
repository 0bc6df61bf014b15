"""scripts/bench-build: a clean build's wall time, and where it goes."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from .paths import REPO


def phase(output: str) -> str:
    if output.endswith(".a"):
        return "harness library (link)"
    if "sockspec_harness.dir" in output:
        return "harness library (compile)" if "cmake_pch" not in output else "precompiled header"
    if "harness_tests" in output:
        return "GoogleTest unit tests"
    if output.endswith(".o"):
        return "probes (compile)"
    if output.startswith("probes/"):
        return "probes (link)"
    return "other (generated sources, test discovery)"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sockspec-bench-build-") as tmp:
        bdir = Path(tmp)
        t0 = time.monotonic()
        subprocess.run(["cmake", "-G", "Ninja", "-S", str(REPO), "-B", str(bdir)], check=True, capture_output=True)
        configure = time.monotonic() - t0
        t0 = time.monotonic()
        subprocess.run(["cmake", "--build", str(bdir)], check=True, capture_output=True)
        build = time.monotonic() - t0
        busy: dict[str, float] = defaultdict(float)
        count: dict[str, int] = defaultdict(int)
        for line in (bdir / ".ninja_log").read_text().splitlines()[1:]:
            start, end, _, output, _ = line.split("\t")
            busy[phase(output)] += (int(end) - int(start)) / 1000
            count[phase(output)] += 1
    probes = len(list((REPO / "probes").glob("*.cpp")))
    print(f"clean build of {probes} probes, the harness and its unit tests on {os.cpu_count()} cores:")
    print(f"  configure  {configure:6.1f} s")
    print(f"  build      {build:6.1f} s")
    print(f"  total      {configure + build:6.1f} s wall")
    print("where the build's time goes (seconds of job time, summed over parallel jobs):")
    for name, seconds in sorted(busy.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:6.1f} s  {name} ({count[name]} jobs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
