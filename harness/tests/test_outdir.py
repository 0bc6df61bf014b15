"""Which results directories a run may replace, and the leftovers of killed runs."""
import os
import subprocess

from sockspec import outdir
from test_compare import make_results


def test_a_results_directory_of_its_own_is_replaced(tmp_path):
    final = make_results(tmp_path / "host", "host", "6.18", 1, "pass")
    staging = outdir.staging_for(final)
    (staging / "results.json").write_text("{}")
    outdir.install(staging, final)
    assert (final / "results.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["host"], "no staging or old copy left"


def test_leftovers_of_a_dead_run_go_and_a_live_runs_stay(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".host.staging-{dead.pid}"
    live = tmp_path / f".host.staging-{os.getpid()}"
    foreign = tmp_path / f".other.staging-{dead.pid}"
    for d in (stale, live, foreign):
        (d / "pcaps").mkdir(parents=True)
    (foreign / "mine.txt").write_text("not sockspec's\n")
    assert outdir.remove_leftovers(tmp_path) == [stale]
    assert live.exists() and foreign.exists()
