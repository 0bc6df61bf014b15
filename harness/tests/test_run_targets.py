"""Where the time went: the closing table of `sockspec run` on several targets."""
from pathlib import Path

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
