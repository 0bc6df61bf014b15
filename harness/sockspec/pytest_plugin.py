"""sockspec's pytest plugin: the fixtures suites use, and the results file.

A suite test reads:

    @pytest.mark.behaviour("tcp_handshake")
    def test_tcp_handshake(probe, family, expect):
        run = probe()                       # the behaviour's probe, --family from the parameter
        conn = run.connection()
        expect.eq("handshake", [s.label for s in conn.segments[:3]], ["SYN", "SYN+ACK", "ACK"],
                  "the connection opens with SYN, SYN+ACK, ACK", claim="SEED-1")

The behaviour marker is the test's link to catalog/behaviours/*.toml: its claims,
sources and families come from there and nowhere else. `family` is
parametrised over the behaviour's families. Each test's probe runs, outcome,
observations, named checks and pcaps are collected into results.json when
--sockspec-results is given.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from . import catalog as catalog_mod
from . import flow, observed, probe_output, timeline
from .expect import ChecksFailed, Expect
from .environment import now_iso, suite_revision
from .errors import SockspecError
from .netns import remove_own, sweep_stale
from .paths import build_dir
from .results import (SCHEMA_VERSION, VOLATILE_KEY, describe_distribution, distribution, normalise,
                      summarize, write_json_atomic)
from .targets import Fault, Invocation, RunRecord, TargetError, Unsupported, make_target

RUNS_KEY = pytest.StashKey[list]()
ITERATIONS_KEY = pytest.StashKey[list]()
EXPECT_KEY = pytest.StashKey[Expect]()
CHECK_ITERATIONS_KEY = pytest.StashKey[list]()
FRAGMENTS = ".fragments"


def pytest_addoption(parser):
    group = parser.getgroup("sockspec")
    group.addoption("--sockspec-target", default="host", help="where probes run: host, qemu or gvisor")
    group.addoption("--sockspec-results", default=None, metavar="DIR",
                    help="write results.json and one pcap per probe run into DIR")
    group.addoption("--sockspec-build", default=None, metavar="DIR", help="the CMake build directory")
    group.addoption("--sockspec-kernel", default=None, metavar="BZIMAGE", help="qemu target: kernel to boot")
    group.addoption("--sockspec-repeat", default=1, type=int, metavar="N",
                    help="run each probe invocation N times and keep every run")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    config.addinivalue_line("markers", "behaviour(name): the catalog behaviour this test checks")
    config.addinivalue_line("markers", "control(perturbation): a negative control: the same check under a "
                                       "perturbation that must change its outcome")
    config.addinivalue_line("markers", "slow: waits out a protocol timer of several seconds")
    # SIGTERM unwinds like Ctrl-C, so every namespace and tcpdump is removed on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    results = config.getoption("sockspec_results")
    if results and not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultsCollector(config, Path(results)), "sockspec-results")


def pytest_unconfigure(config):
    # In every process (xdist workers too): whatever this process made and an
    # interruption kept from deleting goes now; the controlling process also
    # sweeps what killed workers (or earlier killed runs) left.
    remove_own()
    if not hasattr(config, "workerinput"):
        sweep_stale()


# ---------------------------------------------------------------- collection

def _behaviour_of(node) -> catalog_mod.Behaviour | None:
    marker = node.get_closest_marker("behaviour")
    if marker is None:
        return None
    return catalog_mod.default().behaviour(marker.args[0])


def pytest_generate_tests(metafunc):
    if "family" in metafunc.fixturenames:
        b = _behaviour_of(metafunc.definition)
        if b is None:
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: 'family' needs a behaviour marker")
        metafunc.parametrize("family", b.families)


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        if "suites" not in Path(str(item.fspath)).parts:
            continue
        b = _behaviour_of(item)
        if b is None:
            raise pytest.UsageError(f"{item.nodeid}: every suite test needs @pytest.mark.behaviour(name)")
        if not item.originalname.startswith(f"test_{b.name}"):
            raise pytest.UsageError(f"{item.nodeid}: a test of {b.name} is named test_{b.name}[_what]")


def test_id(item) -> str:
    return item.name.removeprefix("test_")


def file_stem(test_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", test_id).strip("-")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def sockspec_target(request):
    config = request.config
    build = Path(config.getoption("sockspec_build") or build_dir())
    name = config.getoption("sockspec_target")
    options = {}
    if name == "qemu" and config.getoption("sockspec_kernel"):
        options["kernel"] = Path(config.getoption("sockspec_kernel"))
    with make_target(name, build, **options) as target:
        yield target


@pytest.fixture(scope="session")
def sockspec_environment(request, sockspec_target):
    env = sockspec_target.environment()
    results = request.config.getoption("sockspec_results")
    if results:
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        write_json_atomic(Path(results) / FRAGMENTS / f"environment-{worker}.json", env)
    return env


@pytest.fixture
def behaviour(request) -> catalog_mod.Behaviour:
    b = _behaviour_of(request.node)
    if b is None:
        raise pytest.UsageError(f"{request.node.nodeid}: the behaviour fixture needs a behaviour marker")
    return b


class ProbeFailed(SockspecError):
    """The probe did not run to its end (exit 1: the environment stopped it)."""


class Run:
    """One probe run as a suite sees it: the record, plus the questions suites ask of it."""

    def __init__(self, record: RunRecord):
        self.record = record
        self._packets: list[flow.Packet] | None = None

    @property
    def observations(self) -> dict[str, Any]:
        return self.record.observations

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.record.events

    def __getitem__(self, key: str) -> Any:
        try:
            return observed.wrap(self.record.observations[key])
        except KeyError:
            raise AssertionError(f"the probe reported no observation {key!r} "
                                 f"(it reported {sorted(self.record.observations)})") from None

    @property
    def packets(self) -> list[flow.Packet]:
        """The capture; skips the test's wire checks where the target cannot capture."""
        if self._packets is None:
            if self.record.pcap is None:
                pytest.skip(f"wire checks skipped: {self.record.wire_unavailable or 'no capture was taken'}")
            self._packets = flow.read_pcap(self.record.pcap)
        return self._packets

    def segments(self) -> list[flow.Segment]:
        return [p for p in self.packets if isinstance(p, flow.Segment)]

    def connection(self, client: str | None = None, server: str | None = None) -> flow.Connection:
        """The connection between the probe's client_addr and server_addr (or the ones given)."""
        return flow.connection_between(self.packets, client or self["client_addr"], server or self["server_addr"])

    def calls(self, name: str | None = None, side: str | None = None) -> list[dict[str, Any]]:
        return probe_output.calls(self.events, name, side)

    def call(self, name: str, side: str | None = None, index: int = 0) -> dict[str, Any]:
        found = self.calls(name, side)
        if len(found) <= index:
            raise AssertionError(f"the probe made no {name}() call #{index + 1}" + (f" on the {side} side" if side else ""))
        return found[index]

    def ladder(self) -> str:
        packets = self.packets if self.record.pcap is not None else []
        server = flow.Endpoint.maybe(self.observations.get("server_addr"))
        return timeline.render_ladder(timeline.build(self.events, packets, [server] if server else []))


class ProbeRunner:
    def __init__(self, item, target, behaviour, family, pcap_dir: Path, repeat: int):
        self.item = item
        self.target = target
        self.behaviour = behaviour
        self.family = family
        self.pcap_dir = pcap_dir
        self.repeat = repeat
        self.iteration = 1  # set by pytest_pyfunc_call when --sockspec-repeat runs the test body again

    def __call__(self, *args: str, probe: str | None = None, sysctls: dict[str, Any] | None = None,
                 faults: list[Fault] | None = None, capture: bool = True, family: str | None = None,
                 timeout_s: float = 60.0) -> Run:
        """Runs the behaviour's probe (or `probe`) with these flags; --family is
        added from the test's parameter."""
        argv = [str(a) for a in args]
        fam = family or self.family
        if fam and fam != "unix" and not any(a.startswith("--family") for a in argv):
            argv = ["--family", fam, *argv]
        runs = self.item.stash.setdefault(RUNS_KEY, [])
        n = len(runs) + 1
        stem = file_stem(test_id(self.item)) + (f"-{n}" if n > 1 else "")
        invocation = Invocation(probe or self.behaviour.name, argv,
                                {k: str(v) for k, v in (sysctls or {}).items()}, capture,
                                self.pcap_dir / f"{stem}.pcap" if capture else None, list(faults or []),
                                timeout_s)
        try:
            record = self.target.run(invocation)
        except Unsupported as e:
            pytest.skip(f"{self.target.name} cannot run this: {e}")
        record.events_path = self.pcap_dir / f"{stem}.events.jsonl"
        record.events_path.parent.mkdir(parents=True, exist_ok=True)
        record.events_path.write_text("".join(json.dumps(e) + "\n" for e in record.events))
        run = Run(record)
        run.iteration = self.iteration
        runs.append(run)
        if record.exit_code != 0:
            raise ProbeFailed(f"probe {invocation.command_line()} exited {record.exit_code}: "
                              f"{record.stderr.strip()[-500:]}")
        return run


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Runs the test body, then fails it if any of its named checks failed
    (naming every one). --sockspec-repeat N: the body (its probe runs and its
    checks) runs N times. All passing: pass; all failing the same way: that
    failure; anything else: the test passes in pytest and is "varying" in the
    results."""
    expect = pyfuncitem.funcargs.get("expect")
    repeat = pyfuncitem.config.getoption("sockspec_repeat")
    runner = pyfuncitem.funcargs.get("probe")
    testargs = {arg: pyfuncitem.funcargs[arg] for arg in pyfuncitem._fixtureinfo.argnames}
    if repeat <= 1 or not isinstance(runner, ProbeRunner):
        if not isinstance(expect, Expect):
            return None
        pyfuncitem.obj(**testargs)
        expect.finish()
        return True
    outcomes, errors, check_iterations = [], [], []
    for i in range(1, repeat + 1):
        runner.iteration = i
        try:
            pyfuncitem.obj(**testargs)
            if isinstance(expect, Expect):
                expect.finish()
            outcomes.append("pass")
        except pytest.skip.Exception:
            if i == 1:
                raise
            outcomes.append("skip")
        except (Exception, pytest.fail.Exception) as e:
            outcomes.append("error" if isinstance(e, (ProbeFailed, TargetError)) else "fail")
            errors.append(e)
        finally:
            if isinstance(expect, Expect):
                check_iterations.append(expect.checks)
                expect.checks = {}
    pyfuncitem.stash[ITERATIONS_KEY] = outcomes
    pyfuncitem.stash[CHECK_ITERATIONS_KEY] = check_iterations
    if set(outcomes) <= {"fail", "error"}:
        raise errors[-1]
    return True


@pytest.fixture
def family():  # replaced by pytest_generate_tests' parametrisation
    return None


@pytest.fixture
def probe(request, sockspec_target, sockspec_environment, behaviour, tmp_path) -> ProbeRunner:
    results = request.config.getoption("sockspec_results")
    pcap_dir = Path(results) / "pcaps" if results else tmp_path
    fam = request.node.callspec.params.get("family") if hasattr(request.node, "callspec") else None
    return ProbeRunner(request.node, sockspec_target, behaviour, fam, pcap_dir,
                       request.config.getoption("sockspec_repeat"))


@pytest.fixture
def expect(request, behaviour) -> Expect:
    """The test's named checks (harness/sockspec/expect.py)."""
    e = Expect(behaviour.claims)
    request.node.stash[EXPECT_KEY] = e
    return e


# ---------------------------------------------------------------- reporting

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    runs: list[Run] = item.stash.get(RUNS_KEY, [])
    if report.failed and runs and call.when == "call":
        try:
            report.sections.append(("sockspec ladder (last probe run)", runs[-1].ladder()))
        except Exception as e:  # a broken capture must not hide the test's own failure
            report.sections.append(("sockspec ladder", f"(no ladder: {e})"))
    if call.when == "call" and call.excinfo is not None and call.excinfo.errisinstance((ProbeFailed, TargetError)):
        report.user_properties.append(("sockspec_error", True))
    expect = item.stash.get(EXPECT_KEY, None)
    if (call.when == "call" and expect is not None and expect.failed() and call.excinfo is not None
            and not call.excinfo.errisinstance(ChecksFailed)):
        # The test stopped on an exception after checks had failed: name them too.
        report.sections.append(("sockspec failed checks", expect.failure_message()))
    results = item.config.getoption("sockspec_results")
    b = _behaviour_of(item)
    if not results or b is None:
        return
    results_dir = Path(results)
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
        fragments, environment = {}, None
        if fragments_dir.is_dir():
            for f in sorted(fragments_dir.iterdir()):
                data = json.loads(f.read_text())
                if f.name.startswith("environment-"):
                    environment = environment or data
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
                _apply_variance(test, iterations or [], repeat)
            tests.append(test)
        tests.sort(key=lambda t: t["nodeid"])
        environment = dict(environment or {"target": self.config.getoption("sockspec_target"),
                                           "kernel_release": "unknown", "kernel_version": "unknown",
                                           "machine": "unknown"})
        environment.update(suite_revision=suite_revision(), started_at=self.started_at,
                           duration_s=round(time.monotonic() - self.t0, 2),
                           repeat=self.config.getoption("sockspec_repeat"))
        document = {"schema_version": SCHEMA_VERSION, "environment": environment, "tests": tests,
                    "summary": summarize(tests)}
        write_json_atomic(self.directory / "results.json", document)
        if fragments_dir.is_dir():
            for f in fragments_dir.iterdir():
                f.unlink()
            fragments_dir.rmdir()
        sweep_stale()


def _apply_variance(test: dict[str, Any], iterations: list[str], repeat: int) -> None:
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
            if VOLATILE_KEY.search(key) or kinds.get(key, "behaviour") == "context":
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
