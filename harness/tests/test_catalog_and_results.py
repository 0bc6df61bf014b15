"""The catalog and the results file: the single source of titles and claims,
and a schema that refuses what it cannot read."""
import json
import shutil

import pytest

from sockspec import catalog, report, results
from sockspec.errors import ResultsError, UsageError
from sockspec.paths import CATALOG_DIR


def test_catalog_loads_and_every_seed_claim_is_named_or_not_applicable():
    cat = catalog.load()
    for cid, claim in cat.claims.items():
        assert claim.not_applicable or cat.behaviours_for_claim(cid), f"{cid} is checked by no behaviour"


def test_every_behaviour_names_its_sources():
    for b in catalog.load().behaviours.values():
        assert b.sources and b.title and b.linux, b.name


@pytest.fixture
def catalog_copy(tmp_path):
    shutil.copytree(CATALOG_DIR, tmp_path / "catalog")
    return tmp_path / "catalog"


@pytest.mark.parametrize("text, message", [
    ("[x\n", "not valid TOML"),
    ('[Bad-Name]\ntitle="t"\n', "not a behaviour table"),
    ('[b]\ntitle="t"\narea="a"\nlinux="l"\nclaims=["SEED-99"]\nsources=["s"]\nfamilies=["inet"]\n', "SEED-99"),
    ('[b]\ntitle="t"\narea="a"\nlinux="l"\nsources=["s"]\nfamilies=["ipx"]\n', "family 'ipx'"),
    ('[b]\narea="a"\nlinux="l"\nsources=["s"]\nfamilies=["inet"]\n', "'title'"),
    ('[tcp_handshake]\ntitle="t"\narea="a"\nlinux="l"\nsources=["s"]\nfamilies=["inet"]\n', "already defined"),
])
def test_bad_catalog_is_a_usage_error(catalog_copy, text, message):
    (catalog_copy / "behaviours" / "zz_bad.toml").write_text(text)
    with pytest.raises(UsageError, match=message):
        catalog.load(catalog_copy)


def minimal_results():
    return {"schema_version": results.SCHEMA_VERSION,
            "environment": {"target": "host", "kernel_release": "6.1", "kernel_version": "#1", "machine": "x86_64"},
            "tests": [{"id": "tcp_handshake[inet]", "nodeid": "suites/x.py::test_tcp_handshake[inet]",
                       "behaviour": "tcp_handshake", "title": "t", "family": "inet", "control": None,
                       "claims": ["SEED-1"], "sources": [], "outcome": "pass", "reason": None,
                       "observations": {}, "observation_kinds": {}, "checks": [], "pcap": None,
                       "duration_s": 0.1, "runs": []}],
            "summary": {"pass": 1, "fail": 0, "skip": 0, "error": 0}}


def test_results_round_trip(tmp_path):
    path = tmp_path / "results.json"
    results.write_json_atomic(path, minimal_results())
    assert results.load(tmp_path)["tests"][0]["id"] == "tcp_handshake[inet]"
    assert list(tmp_path.iterdir()) == [path], "no temporary file is left beside it"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(schema_version=0), "schema_version 0"),
    (lambda d: d.pop("environment"), "environment must be an object"),
    (lambda d: d["environment"].pop("kernel_release"), "kernel_release"),
    (lambda d: d["tests"][0].update(outcome="maybe"), "outcome must be one of"),
    (lambda d: d["tests"][0].pop("claims"), "claims must be a list of strings"),
    (lambda d: d.update(tests={}), "tests must be a list"),
])
def test_malformed_results_are_refused(tmp_path, mutate, message):
    data = minimal_results()
    mutate(data)
    (tmp_path / "results.json").write_text(json.dumps(data))
    with pytest.raises(ResultsError, match=message):
        results.load(tmp_path / "results.json")


def test_not_json_results(tmp_path):
    (tmp_path / "results.json").write_text("{oops")
    with pytest.raises(ResultsError, match="not JSON"):
        results.load(tmp_path)


def _check(cid, outcome, claim=None, refutes=None, seen=3, reason=None):
    return {"id": cid, "says": f"{cid} says", "outcome": outcome, "relation": "==", "expected": 3, "seen": seen,
            "reason": reason, "claim": claim, "refutes": refutes, "source": "s", "evaluations": 1,
            "failures": int(outcome == "fail")}


def test_a_claim_verdict_comes_only_from_the_checks_tied_to_it():
    data = minimal_results()
    t = data["tests"][0]
    t.update(outcome="fail", reason="1 check failed: unrelated")
    t["checks"] = [_check("unrelated", "fail", seen=7), _check("shape", "pass", claim="SEED-1")]
    v = report.claim_verdicts(data, catalog.load())["SEED-1"]
    assert v["verdict"] == "holds", "an unrelated failed check is no evidence against the claim"
    assert v["details"] == ["tcp_handshake shape: shape says (pass: seen 3)"]
    t["checks"].append(_check("refuted", "pass", refutes="SEED-1", seen=41))
    v = report.claim_verdicts(data, catalog.load())["SEED-1"]
    assert v["verdict"] == "partly" and "seen 41" in v["details"][0]
    t["checks"] = [_check("shape", "fail", claim="SEED-1", seen=["c>SYN", "s>RST"])]
    assert report.claim_verdicts(data, catalog.load())["SEED-1"]["verdict"] == "does not hold"
    t["checks"] = [_check("shape", "unobservable", claim="SEED-1", seen={"unobservable": "no capture"},
                          reason="no capture")]
    v = report.claim_verdicts(data, catalog.load())["SEED-1"]
    assert v["verdict"] == "unobservable" and v["details"] == ["tcp_handshake shape: shape says (unobservable: seen no capture)"]


def test_docs_behaviours_md_is_up_to_date():
    """docs/behaviours.md is generated from the catalog; CI fails when it is stale."""
    from sockspec import docs
    assert docs.PATH.exists(), "docs/behaviours.md is missing: run scripts/sockspec docs"
    assert docs.PATH.read_text() == docs.render(), "docs/behaviours.md is stale: run scripts/sockspec docs"


def test_a_claim_whose_tests_the_stack_skipped_is_unobservable_with_the_reason():
    data = minimal_results()
    data["tests"][0].update(outcome="skip", reason="gvisor cannot run this: no sock_diag")
    v = report.claim_verdicts(data, catalog.load())["SEED-1"]
    assert v == {"verdict": "unobservable", "details": ["tcp_handshake: gvisor cannot run this: no sock_diag"],
                 "tests": ["tcp_handshake[inet]"]}
