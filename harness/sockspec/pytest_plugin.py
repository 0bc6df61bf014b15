"""sockspec's pytest plugin: options, collection rules, fixtures and the hooks
that judge a test. The Run API is in run_api.py, results.json in
results_collection.py.

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

import signal
from pathlib import Path

import pytest

from . import catalog as catalog_mod
from . import schedule
from .expect import ChecksFailed, Expect
from .netns import remove_own, sweep_stale
from .paths import build_dir
from .results import write_json_atomic
from .results_collection import FRAGMENTS, ResultsCollector, write_fragment
from .run_api import CHECK_ITERATIONS_KEY, EXPECT_KEY, ITERATIONS_KEY, RUNS_KEY, ProbeFailed, ProbeRunner, Run
from .targets import TargetError, make_target



def pytest_addoption(parser):
    group = parser.getgroup("sockspec")
    group.addoption("--sockspec-target", default="host", help="where probes run: host, qemu or gvisor")
    group.addoption("--sockspec-results", default=None, metavar="DIR",
                    help="write results.json and one pcap per probe run into DIR")
    group.addoption("--sockspec-build", default=None, metavar="DIR", help="the CMake build directory")
    group.addoption("--sockspec-kernel", default=None, metavar="BZIMAGE", help="qemu target: kernel to boot")
    group.addoption("--sockspec-repeat", default=1, type=int, metavar="N",
                    help="run each probe invocation N times and keep every run")
    group.addoption("--sockspec-durations", default=None, metavar="RESULTS_JSON",
                    help="an earlier run's results.json: its tests' durations order this run, longest first")


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
    durations = config.getoption("sockspec_durations")
    schedule.longest_first(items, schedule.previous_durations(Path(durations) if durations else None))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "load":
        return schedule.LongestFirstScheduling(config, log)
    return None


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
    if results and b is not None:
        write_fragment(item, b, Path(results))


