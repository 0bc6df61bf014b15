"""The suites' named checks, the catalog's context and timing declarations
and the results agree: a check id means one sentence within its behaviour,
every declared name is a check or an observation of that behaviour, and a
results file of a full run carries every check the suites make."""
import ast
import json
import os
import re
from pathlib import Path

import pytest

from sockspec import catalog
from sockspec.expect import Expect
from sockspec.paths import REPO, SUITES_DIR

VOCABULARY = {name for name in dir(Expect) if not name.startswith("_")} - {
    "failed", "failure_message", "stop_if_failed", "finish", "checks", "claims"}


def suite_checks() -> dict[str, dict[str, set[str]]]:
    """behaviour -> check id -> the sentences given for it, read from the suites' source."""
    found: dict[str, dict[str, set[str]]] = {}
    for path in sorted(SUITES_DIR.rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        behaviours = {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
                      and getattr(n.func, "attr", None) == "behaviour" and n.args}
        assert len(behaviours) == 1, f"{path}: one behaviour per suite file, found {sorted(behaviours)}"
        (behaviour,) = behaviours
        for n in ast.walk(tree):
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in VOCABULARY
                    and isinstance(n.func.value, ast.Name) and n.func.value.id == "expect"):
                cid = n.args[0]
                assert isinstance(cid, ast.Constant) and isinstance(cid.value, str), \
                    f"{path}:{n.lineno}: a check id is a literal string"
                says = n.args[-1] if n.func.attr != "that" else n.args[2]
                text = says.value if isinstance(says, ast.Constant) else ast.unparse(says)
                found.setdefault(behaviour, {}).setdefault(cid.value, set()).add(text)
    return found


OBSERVE = re.compile(r'observe\("([a-z0-9_]+)"')
# Observations a harness helper makes for the probe that calls it (rto_min_via, client_addr, ...).
HELPER_OBSERVATIONS = {key for src in (REPO / "harness" / "cpp" / "src").rglob("*.cpp")
                       for key in OBSERVE.findall(src.read_text())}


def probe_observations(name: str) -> set[str]:
    return set(OBSERVE.findall((REPO / "probes" / f"{name}.cpp").read_text())) | HELPER_OBSERVATIONS


def test_a_check_id_means_one_sentence_within_its_behaviour():
    for behaviour, ids in suite_checks().items():
        for cid, sentences in ids.items():
            assert len(sentences) == 1, f"{behaviour}: check {cid} says {sorted(sentences)}"


def test_context_and_timing_declarations_name_checks_or_observations():
    checks = suite_checks()
    for name, b in catalog.load().behaviours.items():
        known = set(checks.get(name, {})) | probe_observations(name)
        for key in (*b.context, *b.timing):
            assert key in known, f"{name}: catalog declares {key!r}, which is neither a check nor an observation"


def _full_run_results() -> list[Path]:
    given = os.environ.get("SOCKSPEC_RESULTS_FOR_AGREEMENT")
    paths = [Path(given) / "results.json"] if given else sorted(REPO.glob("results/host-*/results.json"))
    return [p for p in paths if p.is_file() and json.loads(p.read_text()).get("schema_version") == 3]


@pytest.mark.skipif(not _full_run_results(), reason="no schema-3 host results of a full run "
                                                    "(results/host-*/ or SOCKSPEC_RESULTS_FOR_AGREEMENT)")
def test_every_check_of_the_suites_appears_in_the_results_of_a_full_run():
    checks = suite_checks()
    for path in _full_run_results():
        data = json.loads(path.read_text())
        seen: dict[str, set[str]] = {}
        for t in data["tests"]:
            seen.setdefault(t["behaviour"], set()).update(c["id"] for c in t["checks"])
        missing = {b: sorted(set(ids) - seen.get(b, set())) for b, ids in checks.items()}
        missing = {b: ids for b, ids in missing.items() if ids}
        assert not missing, f"{path}: checks the suites make but the results lack: {missing}"
