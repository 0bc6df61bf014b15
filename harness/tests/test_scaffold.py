"""`sockspec new AREA NAME` writes a behaviour's three places and the docs, in a
temporary copy of the project (never in this checkout); bad input writes nothing."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sockspec.paths import REPO

COPIED = ("harness/sockspec", "catalog", "suites", "probes", "docs")
CXX = shutil.which("c++")


@pytest.fixture
def project(tmp_path) -> Path:
    """The parts of the project `new` reads and writes, copied."""
    for part in COPIED:
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def sockspec(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sockspec.cli", *args], cwd=project, capture_output=True,
                          text=True, env={"PYTHONPATH": str(project / "harness"), "PATH": "/usr/bin:/bin"})


def snapshot(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_new_writes_the_probe_the_catalog_table_the_suite_and_the_docs(project):
    before = snapshot(project)
    r = sockspec(project, "new", "tcp_close", "demo_behaviour")
    assert r.returncode == 0, r.stderr
    changed = {k for k, v in snapshot(project).items() if before.get(k) != v}
    assert changed == {"probes/demo_behaviour.cpp", "suites/tcp_close/test_demo_behaviour.py",
                       "catalog/behaviours/tcp_close.toml", "docs/behaviours.md"}
    probe = (project / "probes/demo_behaviour.cpp").read_text()
    assert 'sockspec::Probe probe("demo_behaviour",' in probe and "probe.main(argc, argv," in probe
    suite = (project / "suites/tcp_close/test_demo_behaviour.py").read_text()
    assert '@pytest.mark.behaviour("demo_behaviour")' in suite and "def test_demo_behaviour(" in suite
    assert "probes/demo_behaviour.cpp" in suite and "catalog/behaviours/tcp_close.toml" in suite
    assert "### demo_behaviour" in (project / "docs/behaviours.md").read_text()
    listed = subprocess.run([sys.executable, "-c", "from sockspec import catalog; "
                             "print(catalog.load().behaviour('demo_behaviour').area)"],
                            env={"PYTHONPATH": str(project / "harness")}, capture_output=True, text=True)
    assert listed.stdout.strip() == "tcp_close", listed.stderr


@pytest.mark.parametrize("args, says", [
    (["nope", "demo_behaviour"], "unknown area 'nope'"),
    (["tcp_close", "Demo-Behaviour"], "is not a behaviour name"),
    (["tcp_close", "x"], "is not a behaviour name"),
    (["tcp_close", "tcp_handshake"], "exists already"),
    (["tcp_close"], "required: name"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(project, args, says):
    before = snapshot(project)
    r = sockspec(project, "new", *args)
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stdout == ""
    assert snapshot(project) == before


def test_a_file_in_the_way_is_refused_before_anything_is_written(project):
    (project / "suites/tcp_close/test_demo_behaviour.py").write_text("# someone's work\n")
    before = snapshot(project)
    r = sockspec(project, "new", "tcp_close", "demo_behaviour")
    assert r.returncode == 2 and "exists already" in r.stderr
    assert snapshot(project) == before


@pytest.mark.skipif(CXX is None, reason="no C++ compiler")
def test_the_scaffolded_probe_compiles_against_the_harness(project):
    """The template uses the current Probe API and scenario.h (the build itself
    is checked in a fresh clone: README, Adding a behaviour)."""
    assert sockspec(project, "new", "tcp_close", "demo_behaviour").returncode == 0
    r = subprocess.run([CXX, "-std=gnu++20", "-fsyntax-only", "-I", str(REPO / "harness/cpp/include"),
                        str(project / "probes/demo_behaviour.cpp")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
