"""The catalog, the probes and the suites name the same behaviours, and every
probe has the command line the brief promises."""
import ast
import json
import os
import subprocess
from pathlib import Path

import pytest

from sockspec import catalog
from sockspec.paths import REPO, SUITES_DIR

PROBES_DIR = REPO / "probes"
BUILD = Path(os.environ.get("SOCKSPEC_BUILD", REPO / "build"))
PROBE_NAMES = sorted(p.stem for p in PROBES_DIR.glob("*.cpp"))
MAX_PROBE_LINES = 200


def suite_behaviours() -> dict[str, set[str]]:
    """behaviour name -> the suite files whose tests carry its marker."""
    found: dict[str, set[str]] = {}
    for path in SUITES_DIR.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "behaviour" and node.args:
                found.setdefault(node.args[0].value, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_probe_is_a_catalog_behaviour_and_back():
    names = set(catalog.load().behaviours)
    assert set(PROBE_NAMES) - names == set(), "probes without a catalog entry"
    assert names - set(PROBE_NAMES) == set(), "catalog entries without a probe"


def test_every_behaviour_has_tests_in_its_area():
    cat = catalog.load()
    tested = suite_behaviours()
    for name, b in cat.behaviours.items():
        assert name in tested, f"{name} has no test"
        assert any(f.startswith(f"suites/{b.area}/") for f in tested[name]), f"{name}'s tests are not in suites/{b.area}/"


@pytest.mark.parametrize("name", PROBE_NAMES)
def test_probe_source_is_short(name):
    lines = len((PROBES_DIR / f"{name}.cpp").read_text().splitlines())
    assert lines <= MAX_PROBE_LINES, f"{name}.cpp has {lines} lines: move shared work into the harness"


def probe_binary(name: str) -> Path:
    binary = BUILD / "probes" / name
    if not binary.exists():
        pytest.skip(f"{binary} is not built")
    return binary


@pytest.mark.parametrize("name", PROBE_NAMES)
def test_probe_help_says_what_the_catalog_says(name):
    b = catalog.load().behaviour(name)
    out = subprocess.run([probe_binary(name), "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == b.title, "--help's first line is not the catalog's title"
    assert "--family" in out.stdout and "--json" in out.stdout
    assert f"Evidence for: {', '.join(b.claims) or 'no seed claim'}" in lines
    assert f"Sources: {', '.join(b.sources)}" in lines


@pytest.mark.parametrize("name", ["tcp_handshake", "unix_so_peercred"])
def test_probe_json_header_is_the_catalog_entry(name):
    b = catalog.load().behaviour(name)
    # Its own network namespace, gone when the probe exits.
    run = subprocess.run(["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" --json',
                          probe_binary(name)], capture_output=True, text=True, timeout=20)
    header = json.loads(run.stdout.splitlines()[0])["probe"]
    assert (header["summary"], header["claims"], header["sources"]) == (b.title, list(b.claims), list(b.sources))


@pytest.mark.parametrize("name", PROBE_NAMES)
@pytest.mark.parametrize("argv", [["--no-such-flag"], ["--family", "ipx"], ["--timeout-s", "x"],
                                  ["--timeout-s", "nan"], ["--timeout-s", "inf"], ["--timeout-s", "-1"]])
def test_probe_bad_usage_is_one_line_and_exit_2(name, argv):
    out = subprocess.run([probe_binary(name), *argv], capture_output=True, text=True, timeout=10)
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and out.stdout == ""
