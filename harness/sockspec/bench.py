"""scripts/bench-overhead: what the harness costs per probe run, phase by phase."""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import flow
from .capture import Capture
from .errors import UsageError
from .netns import NetNS
from .paths import probe_path


def one_run(binary: Path, workdir: Path, i: int) -> dict[str, float]:
    t = {}
    t0 = time.perf_counter()
    ns = NetNS()
    t["namespace"] = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        cap = Capture(ns, workdir / f"{i}.pcap")
        t["capture start"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(ns.enter_argv([str(binary), "--json"]), capture_output=True, check=True)
        t["probe (setns + probe)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        cap.stop()
        t["capture stop (marker, flush)"] = time.perf_counter() - t0
    finally:
        t0 = time.perf_counter()
        ns.delete()
        t["teardown"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    flow.read_pcap(workdir / f"{i}.pcap")
    t["decode"] = time.perf_counter() - t0
    return t


def _cpu_s() -> float:
    """CPU seconds (user and system) of this process and of its children reaped so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _reap_all() -> None:
    """Waits for the tcpdumps the capture reaps in the background, so their CPU is counted."""
    for t in threading.enumerate():
        if t.name == "reap-tcpdump":
            t.join()


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (argv and not argv[0].isdigit()) or (argv and int(argv[0]) < 1):
        raise UsageError("usage: scripts/bench-overhead [RUNS (a whole number >= 1)] [PROBE]")
    runs = int(argv[0]) if argv else 30
    name = argv[1] if len(argv) > 1 else "tcp_handshake"
    binary = probe_path(name)
    if not binary.exists():
        raise UsageError(f"{binary} is missing: build first (scripts/sockspec run builds)")
    bare = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(binary), "--json"], capture_output=True, check=True)
        bare.append(time.perf_counter() - t0)
    samples: list[dict[str, float]] = []
    cpu0 = _cpu_s()
    with tempfile.TemporaryDirectory(prefix="sockspec-bench-") as tmp:
        for i in range(runs):
            samples.append(one_run(binary, Path(tmp), i))
        _reap_all()
    cpu = (_cpu_s() - cpu0) / runs
    totals = [sum(s.values()) for s in samples]
    print(f"{name}: {runs} runs on {os.uname().release}, medians in ms")
    for phase in samples[0]:
        print(f"  {phase:32s} {statistics.median(s[phase] for s in samples) * 1e3:8.1f}")
    overhead = [tot - s["probe (setns + probe)"] + (s["probe (setns + probe)"] - b)
                for tot, s, b in zip(totals, samples, bare)]
    print(f"  {'whole run':32s} {statistics.median(totals) * 1e3:8.1f}")
    print(f"  {'the probe alone, no harness':32s} {statistics.median(bare) * 1e3:8.1f}")
    print(f"harness overhead per probe run (median): {statistics.median(overhead) * 1e3:.1f} ms")
    print(f"CPU per run, driver and its children (mean; load changes it less than the wall): {cpu * 1e3:.1f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print(f"bench-overhead: {e}", file=sys.stderr)
        sys.exit(2)
