"""Where the time went: the closing table of `sockspec run` on several targets."""
import os
import signal
import threading
import time
from pathlib import Path

from sockspec import run_targets
from sockspec.run_targets import SuiteRun, time_report


def test_time_report_shows_fetching_apart_and_each_targets_wall_cpu_and_boots():
    qemu = SuiteRun("qemu:5.10", 2, Path("/r"), Path("/s"), wall_s=100.0, cpu_s=50.0, boots_s=[4.0, 5.0])
    host = SuiteRun("host", 8, Path("/r"), Path("/s"), wall_s=20.0, cpu_s=22.0)
    text = time_report([host, qemu], {"qemu:5.10": 56.0, "host": 0.0}, 180.0)
    lines = text.splitlines()
    assert "180.0 s in all" in lines[0]
    assert lines[1].strip() == "fetching kernels and runsc: qemu:5.10 56.0 s; 56.0 s"
    assert lines[3].split()[:3] == ["qemu:5.10", "100.0s", "50.0s"]   # the longest first
    assert "2 guests booted in 4.5 s each (in parallel: 5% of the wall)" in lines[3]
    assert lines[4].split() == ["host", "20.0s", "22.0s", "-"]
    assert "none (all cached)" in time_report([host], {"host": 0.0}, 20.0)


class FakeRun(SuiteRun):
    """A suite that 'runs' until the test releases it."""

    def start(self, select, extra):
        with FakeRun.lock:
            FakeRun.running.add(self.target)
            FakeRun.starts.append((self.target, sorted(FakeRun.running)))

    def wait(self):
        FakeRun.released[self.target].wait(10)
        with FakeRun.lock:
            FakeRun.running.discard(self.target)
        self.code = 0
        return 0


def fake_runs(names: list[str], jobs=lambda name: 2) -> list[FakeRun]:
    FakeRun.lock, FakeRun.running, FakeRun.starts = threading.Lock(), set(), []
    FakeRun.released = {n: threading.Event() for n in names}
    return [FakeRun(n, jobs(n), Path("/r"), Path("/s")) for n in names]


def run_beside(releaser_body, runs: list[FakeRun]) -> list[str]:
    """run_concurrently() with releaser_body in a thread beside it: the targets as they finished."""
    releaser = threading.Thread(target=releaser_body)
    releaser.start()
    finished = [r.target for r in run_targets.run_concurrently(runs, None, {r.target: [] for r in runs})]
    releaser.join()
    return finished


def test_qemu_suites_start_while_their_guests_fit_two_per_core_and_the_others_at_once(monkeypatch):
    monkeypatch.setattr(run_targets.os, "cpu_count", lambda: 2)
    names = ["qemu:6.12", "qemu:7.2", "qemu:6.1", "qemu:5.10", "gvisor:2024", "gvisor:2022", "host"]
    runs = fake_runs(names)
    first_five = []

    def release_one_by_one():
        deadline = time.monotonic() + 5
        while len(FakeRun.starts) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)   # no sixth start comes while two qemu suites run
        first_five.extend(t for t, _ in FakeRun.starts)
        for name in names:
            FakeRun.released[name].set()
            time.sleep(0.02)

    finished = run_beside(release_one_by_one, runs)
    assert first_five == ["qemu:6.12", "qemu:7.2", "gvisor:2024", "gvisor:2022", "host"]
    assert finished[0] == "qemu:6.12" and sorted(finished) == sorted(names)
    assert all(sum(t.startswith("qemu") for t in running) <= 2 for _, running in FakeRun.starts)


def test_four_qemu_suites_share_the_guests_and_all_start_at_once(monkeypatch):
    monkeypatch.setattr(run_targets.os, "cpu_count", lambda: 2)
    assert run_targets.qemu_workers(4) == 1 and run_targets.qemu_workers(1) == 2
    names = ["qemu:6.12", "qemu:7.2", "qemu:6.1", "qemu:5.10", "host"]
    runs = fake_runs(names, lambda n: run_targets.qemu_workers(4) if n.startswith("qemu") else 8)

    def release_after_all_started():
        deadline = time.monotonic() + 5
        while len(FakeRun.starts) < len(names) and time.monotonic() < deadline:
            time.sleep(0.01)
        for name in names:
            FakeRun.released[name].set()

    finished = run_beside(release_after_all_started, runs)
    assert sorted(FakeRun.starts[-1][1]) == sorted(names), "all five ran at once"
    assert sorted(finished) == sorted(names)


def test_a_sigterm_starts_no_waiting_suite(monkeypatch):
    monkeypatch.setattr(run_targets.os, "cpu_count", lambda: 2)
    names = ["qemu:6.12", "qemu:7.2", "qemu:6.1", "qemu:5.10"]
    runs = fake_runs(names)

    signalled = threading.Semaphore(0)

    class SignalledProc:
        """What run_concurrently signals: the two running suites, once the handler has run."""
        def send_signal(self, sig):
            assert sig == signal.SIGTERM
            signalled.release()

    def terminate_then_release():
        deadline = time.monotonic() + 5
        while len(FakeRun.starts) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        for run in runs[:2]:
            run.proc = SignalledProc()
        os.kill(os.getpid(), signal.SIGTERM)   # handled in the main thread, inside run_concurrently
        assert signalled.acquire(timeout=10) and signalled.acquire(timeout=10)
        for name in names:
            FakeRun.released[name].set()

    finished = run_beside(terminate_then_release, runs)
    assert [t for t, _ in FakeRun.starts] == ["qemu:6.12", "qemu:7.2"]
    assert sorted(finished) == ["qemu:6.12", "qemu:7.2"]
