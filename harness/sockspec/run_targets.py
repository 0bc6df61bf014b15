"""`sockspec run` on several targets at once, and where the time went.

Each target's suite is its own pytest process writing into its own staging
directory, so targets run concurrently: most tests wait on protocol timers,
not on the CPU, and the slowest target (not the sum of all) sets the wall
time. A target whose kernel or runsc cannot be fetched, or whose suite does
not complete, is reported by name; the others still run and report.

Kernels and runsc are fetched first, one target after another (the archive
lock serialises them anyway), so their time is shown apart from the suites'.
"""
from __future__ import annotations

import dataclasses
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from . import outdir
from .command_line import PYTHON, rel
from .errors import SockspecError
from .paths import REPO, RESULTS_DIR, SUITES_DIR, build_dir
from .processes import die_with_parent
from .targets import parse_stack


@dataclasses.dataclass
class SuiteRun:
    """One target's suite: its pytest process, its staging directory, its times."""
    target: str
    jobs: int
    final: Path
    staging: Path
    log: Path | None = None            # None: pytest writes to our terminal
    proc: subprocess.Popen | None = None
    started: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0                 # the pytest process tree's user+system time
    code: int | None = None
    boots_s: list[float] = dataclasses.field(default_factory=list)   # one per guest a worker booted

    def start(self, select: str | None, extra: list[str]) -> None:
        args = [str(SUITES_DIR), "-q", "--sockspec-target", self.target, "--sockspec-results", str(self.staging),
                "--junitxml", str(self.staging / "junit.xml"), "-o", "junit_family=xunit2",
                "-o", "junit_suite_name=sockspec"]
        if self.jobs > 1:
            args += ["-n", str(self.jobs)]
        if select:
            args += ["-k", select]
        out = None
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            out = open(self.log, "wb")
        self.started = time.monotonic()
        try:
            # Should we die, even by SIGKILL, pytest unwinds as on SIGTERM and removes what it made.
            self.proc = subprocess.Popen([PYTHON, "-m", "pytest", *args, *extra], cwd=REPO, stdout=out,
                                         stderr=subprocess.STDOUT if out else None,
                                         preexec_fn=die_with_parent(signal.SIGTERM))
        finally:
            if out is not None:
                out.close()

    def wait(self) -> int:
        """Blocks until pytest exits (any thread); keeps its exit code, wall and CPU time."""
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.proc.returncode = self.code = os.waitstatus_to_exitcode(status)
        self.wall_s = time.monotonic() - self.started
        self.cpu_s = usage.ru_utime + usage.ru_stime
        return self.code

    def finish(self, out_given: bool) -> Path:
        """Checks the suite completed, writes the summary and moves the results into place."""
        from . import report, results

        try:
            if self.code not in (0, 1) or not (self.staging / "results.json").exists():
                raise SockspecError(f"the suite did not complete (pytest exit {self.code}); {self.final} is unchanged"
                                    + (f"; its output: {rel(self.log)}" if self.log else ""))
            report.write_summary(self.staging)
            environment = results.load(self.staging)["environment"]
            self.boots_s = environment.get("all_workers_boot_s", [])
            if not out_given:
                self.final = RESULTS_DIR / results_dir_name(self.target, environment)
            outdir.install(self.staging, self.final)
            return self.final
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)


def results_dir_name(target: str, environment: dict | None = None) -> str:
    """results/host-<release>, results/qemu-<guest release>,
    results/gvisor-<runsc version>; before the run has said its release, the
    target's name."""
    kind, _ = parse_stack(target)
    if kind == "host":
        return f"host-{os.uname().release}"
    if kind == "qemu" and environment and environment.get("kernel_release"):
        return f"qemu-{environment['kernel_release']}"
    if kind == "gvisor" and environment and environment.get("runsc_version"):
        return f"gvisor-{environment['runsc_version']}"
    return target.replace(":", "-")


def previous_results(target: str) -> Path | None:
    """The target's results.json from an earlier run (its durations order this
    run's tests), else the host's: its long tests wait on the same timers."""
    from .debian_archive import RUNSC
    from .targets.qemu_kernel import DEFAULT_SERIES

    kind, version = parse_stack(target)
    if kind == "qemu":
        pattern = f"qemu-{version or DEFAULT_SERIES}.*"
    elif kind == "gvisor":
        pattern = f"gvisor-{RUNSC[version or '2022'][1]}*"
    else:
        pattern = results_dir_name("host")
    found = sorted(RESULTS_DIR.glob(f"{pattern}/results.json")) or sorted(
        RESULTS_DIR.glob(f"{results_dir_name('host')}/results.json"))
    return found[0] if found else None


def previous_wall_s(target: str) -> float:
    """How long the target's suite took last time (0 when unknown): the longest start first."""
    found = previous_results(target)
    try:
        return float(json.loads(found.read_text())["environment"]["duration_s"]) if found else 0.0
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


def fetch_for(target: str, kernel_given: bool) -> str | None:
    """Fetches (or finds in the cache) the kernel or runsc the target runs;
    returns what was fetched, or None when there was nothing to fetch."""
    from .debian_archive import ArchiveError, DebianArchive, fetch_kernel, fetch_runsc
    from .targets.qemu_kernel import DEFAULT_SERIES

    kind, version = parse_stack(target)
    archive = DebianArchive(build_dir() / "apt")
    cache = Path(os.environ.get("SOCKSPEC_CACHE") or build_dir() / "cache")
    try:
        if kind == "qemu" and not kernel_given:
            k = fetch_kernel(archive, version or DEFAULT_SERIES, cache)
            return f"{k.package} {k.version}"
        if kind == "gvisor" and version is not None:
            return "runsc " + fetch_runsc(archive, version, cache)[0]
    except ArchiveError as e:
        raise SockspecError(f"{target}: nothing to run: {e}") from e
    return None


def emulated(run: SuiteRun) -> bool:
    return parse_stack(run.target)[0] == "qemu"


QEMU_WORKERS = 2   # a qemu suite alone: two guests (one per worker) measured fastest on two cores


def guests_at_once() -> int:
    """How many TCG guests (one per worker of a qemu suite) may run together:
    two per core. A guest's vCPU is busy whenever its probe runs, and guests
    crowded onto fewer cores did not just wait: eight guests on two cores
    spent 315-360 s of CPU per qemu suite that took 212 s alone (late timers,
    retransmissions, caches shared eight ways)."""
    return 2 * max(1, os.cpu_count() or 1)


def qemu_workers(qemu_suites: int) -> int:
    """Workers for each of a run's qemu suites: the guests shared among them,
    so that all of them start at once. With four, two suites of two guests
    at a time left the second pair running alone at the end: the seven
    stacks took 757 s (1228 s of CPU); four suites of one guest each took
    680 s (1188 s of CPU)."""
    return max(1, min(QEMU_WORKERS, guests_at_once() // max(1, qemu_suites)))


def run_concurrently(runs: list[SuiteRun], select: str | None, extras: dict[str, list[str]],
                     at_once: int | None = None):
    """Starts the suites, at most at_once at a time (None: all) and qemu
    suites while their guests fit in guests_at_once(), in the order given
    (a suite that needs more than all of them starts alone), and yields each as it
    finishes; a SIGTERM or Ctrl-C to us reaches every pytest, which unwinds
    and removes what it made."""
    done: queue.Queue = queue.Queue()
    waiting, running, waiters = list(runs), [], []
    stopping = threading.Event()

    def stop(sig: int) -> None:
        # Told to stop: the suites still waiting never start, and the
        # running ones unwind.
        stopping.set()
        _signal_all(runs, sig)

    previous = signal.signal(signal.SIGTERM, lambda s, f: stop(signal.SIGTERM))

    def start(run: SuiteRun) -> None:
        waiting.remove(run)
        running.append(run)
        run.start(select, extras[run.target])
        waiters.append(threading.Thread(target=lambda: done.put((run, run.wait())), daemon=True,
                                        name=f"wait-{run.target}"))
        waiters[-1].start()

    def start_what_fits() -> None:
        for run in list(waiting):
            if stopping.is_set():
                return
            if len(running) >= (at_once or len(runs)):
                return
            guests = sum(r.jobs for r in running if emulated(r))
            if not emulated(run) or guests + run.jobs <= guests_at_once() or not guests:
                start(run)

    try:
        start_what_fits()
        while running:
            finished = done.get()[0]
            running.remove(finished)
            start_what_fits()
            yield finished
    except KeyboardInterrupt:
        stop(signal.SIGINT)
        for waiter in waiters:
            waiter.join()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _signal_all(runs: list[SuiteRun], sig: int) -> None:
    for run in runs:
        if run.proc is not None and run.code is None:
            try:
                run.proc.send_signal(sig)
            except ProcessLookupError:
                pass


def time_report(runs: list[SuiteRun], fetch_s: dict[str, float], total_s: float) -> str:
    """Where the time went: each target's wall, CPU and guest boots, and the fetches apart."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"where the time went ({total_s:.1f} s in all on {os.cpu_count()} cores; load average now {load}):"]
    fetched = {t: s for t, s in fetch_s.items() if s >= 0.05}
    lines.append("  fetching kernels and runsc: " + (", ".join(f"{t} {s:.1f} s" for t, s in fetched.items())
                                                     if fetched else "none (all cached)")
                 + f"; {sum(fetch_s.values()):.1f} s")
    lines.append(f"  {'target':12s} {'wall':>8s} {'CPU':>8s}  boot")
    for run in sorted(runs, key=lambda r: -r.wall_s):
        if run.boots_s:
            mean = sum(run.boots_s) / len(run.boots_s)
            boot = (f"{len(run.boots_s)} guest{'s' if len(run.boots_s) > 1 else ''} booted in {mean:.1f} s each "
                    f"(in parallel: {max(run.boots_s) / run.wall_s:.0%} of the wall)" if run.wall_s else "")
        else:
            boot = "-"
        lines.append(f"  {run.target:12s} {run.wall_s:7.1f}s {run.cpu_s:7.1f}s  {boot}")
    return "\n".join(lines)
