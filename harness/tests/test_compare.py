"""`sockspec compare`: the merged report from results directories, its bad
inputs (exit 2, one line, nothing written), and the repeat/variance summary
of the results file."""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sockspec import compare, compare_values, results
from sockspec.results_collection import apply_variance

REPO = Path(__file__).resolve().parents[2]
SOCKSPEC = [str(REPO / "scripts" / "sockspec")]
FIXTURES = Path(__file__).parent / "fixtures"


def _observations(jsonl: Path) -> dict:
    for line in jsonl.read_text().splitlines():
        if line.startswith('{"observations"'):
            return json.loads(line)["observations"]
    raise AssertionError(f"{jsonl} has no observations line")


def _test(tid, behaviour, claims, stem, outcome="pass", observations=None, checks=()):
    obs = observations if observations is not None else _observations(FIXTURES / f"{stem}.jsonl")
    return {"id": tid, "nodeid": f"suites/x.py::test_{tid}", "behaviour": behaviour, "title": "", "family": "inet",
            "control": None, "claims": claims, "sources": [], "outcome": outcome,
            "reason": None if outcome == "pass" else "assert 0 == 1", "observations": obs,
            "pcap": f"pcaps/{stem}.pcap", "duration_s": 0.5,
            "observation_kinds": {k: "context" if k.endswith("_addr") else "behaviour" for k in obs},
            "checks": list(checks),
            "runs": [{"probe": behaviour, "args": [], "sysctls": {}, "faults": [], "exit_code": 0,
                      "observations": obs, "pcap": f"pcaps/{stem}.pcap", "events": f"pcaps/{stem}.events.jsonl",
                      "wire_unavailable": None, "duration_s": 0.5, "iteration": 1}]}


def check(cid, outcome, seen, expected=None, claim=None, says=None, reason=None, **extra):
    return {"id": cid, "says": says or f"the {cid} check", "outcome": outcome, "relation": "==",
            "expected": seen if expected is None else expected, "seen": seen, "reason": reason, "claim": claim,
            "refutes": None, "source": "listen(2)", "evaluations": 1, "failures": int(outcome == "fail"), **extra}


def make_results(directory: Path, target: str, release: str, backlog_queued: int, backlog_outcome: str) -> Path:
    """A results directory built from the recorded fixtures (no root needed):
    the handshake (the same everywhere but for its ports) and the backlog,
    whose queue_capped check passes with backlog_queued 1 and fails otherwise."""
    (directory / "pcaps").mkdir(parents=True)
    for stem in ("handshake_inet", "listen_backlog0_inet"):
        shutil.copy(FIXTURES / f"{stem}.pcap", directory / "pcaps" / f"{stem}.pcap")
        shutil.copy(FIXTURES / f"{stem}.jsonl", directory / "pcaps" / f"{stem}.events.jsonl")
    backlog_obs = dict(_observations(FIXTURES / "listen_backlog0_inet.jsonl"), queued=backlog_queued)
    port = 40000 + backlog_queued
    tests = [
        _test("tcp_handshake[inet]", "tcp_handshake", ["SEED-1"], "handshake_inet",
              checks=[check("handshake.segments", "pass", ["c>SYN", "s>SYN+ACK", "c>ACK"], claim="SEED-1"),
                      check("client_port", "pass", {"client": f"127.0.0.1:{port}", "pid": port})]),
        _test("tcp_listen_backlog[inet-0]", "tcp_listen_backlog", ["SEED-12", "SEED-13"], "listen_backlog0_inet",
              backlog_outcome, backlog_obs,
              checks=[check("queue_capped", "pass" if backlog_queued == 1 else "fail", backlog_queued, 1,
                            claim="SEED-12", says="backlog+1 connections complete without accept()")]),
    ]
    data = {"schema_version": results.SCHEMA_VERSION,
            "environment": {"target": target, "kernel_release": release, "kernel_version": f"#1 {release}",
                            "machine": "x86_64", "sysctls": {"net.core.somaxconn": "4096"},
                            "tcpdump_version": "4.99.3", "libpcap_version": "1.10.3"},
            "tests": tests, "summary": results.summarize(tests)}
    results.write_json_atomic(directory / "results.json", data)
    return directory


@pytest.fixture
def two_kernels(tmp_path):
    a = make_results(tmp_path / "host-6.18", "host", "6.18.44", 1, "pass")
    b = make_results(tmp_path / "gvisor", "gvisor", "4.4.0", 3, "fail")
    return a, b


def test_compare_writes_html_and_markdown_with_differences_first(two_kernels, tmp_path):
    out = tmp_path / "out" / "report.html"
    proc = subprocess.run([*SOCKSPEC, "compare", *map(str, two_kernels), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    html, md = out.read_text(), out.with_suffix(".md").read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count('class="row differs"') == 1, "ports and pids are context: only queue_capped differs"
    assert md.splitlines()[0] == "**1 differing check between host 6.18.44, gvisor 4.4.0 (3 checks in 2 tests).**"
    differences = md[md.index("## Differences"):md.index("## Not observed")]
    assert "`tcp_listen_backlog[inet-0] queue_capped`: backlog+1 connections complete without accept(): " \
           "host 6.18.44: pass, seen 1; gvisor 4.4.0: fail, seen 3" in differences
    assert md.index("## Differences") < md.index("## Not observed") < md.index("## The seed's claims") \
        < md.index("## Checks x stacks") < md.index("## Ladders")
    assert "SEED-16" in html and "not applicable" in html
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html", "report.md"]


def test_a_skipped_test_and_an_unobservable_check_are_not_observed_not_differences(two_kernels, tmp_path):
    a, b = two_kernels
    data = json.loads((b / "results.json").read_text())
    data["tests"][0].update(outcome="skip", reason="gvisor cannot run this: no nftables")
    data["tests"][1]["checks"][0].update(outcome="unobservable", seen={"unobservable": "no listener TCP_INFO"},
                                         reason="no listener TCP_INFO")
    data["tests"][1]["outcome"] = "pass"
    data["summary"] = results.summarize(data["tests"])
    (b / "results.json").write_text(json.dumps(data))
    out, md_path = compare.compare([a, b], tmp_path / "r.html")
    md = md_path.read_text()
    assert md.startswith("**0 differing checks")
    not_observed = md[md.index("## Not observed"):md.index("## The seed's claims")]
    assert "queue\\_capped: no listener TCP\\_INFO" in not_observed and "no nftables" in not_observed
    assert "| SEED-12 ≠ |" in md and "**unobservable**: tcp\\_listen\\_backlog" in md


def test_a_check_a_stack_did_not_reach_is_listed_not_a_difference(two_kernels, tmp_path):
    a, b = two_kernels
    data = json.loads((b / "results.json").read_text())
    data["tests"][1]["checks"] = []
    data["tests"][1].update(outcome="fail", reason="KeyError: 'queued'")
    (b / "results.json").write_text(json.dumps(data))
    _, md_path = compare.compare([a, b], tmp_path / "r.html")
    md = md_path.read_text()
    assert md.startswith("**0 differing checks")
    assert "tcp\\_listen\\_backlog\\[inet-0\\]: 1 check not judged: the test ended first (fail: KeyError" in md


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>`|*[x](javascript:alert(3))'


def test_text_from_a_results_file_is_inert_in_html_and_markdown(two_kernels, tmp_path):
    a, b = two_kernels
    data = json.loads((b / "results.json").read_text())
    data["environment"]["kernel_release"] = HOSTILE
    data["environment"]["tcpdump_version"] = HOSTILE
    data["tests"][1]["checks"][0].update(says=HOSTILE, seen=HOSTILE, reason=HOSTILE)
    data["tests"][1]["id"] = "tcp_listen_backlog" + HOSTILE
    data["tests"][0]["reason"] = HOSTILE
    (b / "results.json").write_text(json.dumps(data))
    out, md_path = compare.compare([a, b], tmp_path / "r.html")
    html = out.read_text()
    assert "<script" not in html and "<img" not in html
    # Markdown: code spans and fenced blocks are literal text (CommonMark);
    # everywhere else no tag but the report's own, and no live link.
    md = md_path.read_text()
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"(?ms)^(`{3,})\n.*?^\1$", "", md))
    assert set(re.findall(r"<(/?\w+)", prose)) <= {"details", "/details", "summary", "/summary"}
    assert not re.search(r"(?<!\\)\]\(javascript:", prose) and "\\[x\\](javascript:alert(3))" in md


def _lines_run_by_compare(tmp_path, count: int) -> int:
    """Python lines executed by compare() on a directory of `count` tests: a
    measure of work that, unlike wall time, does not depend on the machine's
    load (scripts/bench-compare gives the seconds)."""
    directory = tmp_path / f"big{count}"
    directory.mkdir()
    base = json.loads((make_results(tmp_path / f"one{count}", "host", "6.18", 1, "pass") / "results.json").read_text())
    proto = base["tests"][1]
    tests = []
    for i in range(count):
        t = copy.deepcopy(proto)
        t.update(id=f"tcp_listen_backlog[inet-{i}]", nodeid=f"x::{i}", runs=[], pcap=None)
        tests.append(t)
    base.update(tests=tests, summary=results.summarize(tests))
    (directory / "results.json").write_text(json.dumps(base))
    lines = 0

    def count_lines(frame, event, arg):
        nonlocal lines
        lines += event == "line"
        return count_lines
    sys.settrace(count_lines)
    try:
        _, md = compare.compare([directory, directory], tmp_path / f"big{count}.html")
    finally:
        sys.settrace(None)
    assert md.read_text().startswith("**0 differing checks")
    return lines


def test_compare_is_linear_in_the_number_of_tests(tmp_path):
    _lines_run_by_compare(tmp_path, 50)  # one-time costs (imports, template compilation) go first
    w200, w400, w800 = (_lines_run_by_compare(tmp_path, n) for n in (200, 400, 800))
    # The work added by doubling the tests again: twice the work added by the
    # first doubling when linear, four times when quadratic (the old
    # Column.tests rebuilt a dict per row). Differences cancel the fixed cost.
    growth = (w800 - w400) / (w400 - w200)
    assert growth < 3, f"lines executed for 200, 400, 800 tests: {w200}, {w400}, {w800}"


def test_an_output_pair_that_cannot_be_written_is_refused_before_anything_is(two_kernels, tmp_path):
    (tmp_path / "r.md").mkdir()
    proc = subprocess.run([*SOCKSPEC, "compare", *map(str, two_kernels), "-o", str(tmp_path / "r.html")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "r.html").exists()


def _corrupt(directory: Path, how) -> None:
    path = directory / "results.json"
    if how == "not json":
        path.write_text('{"schema_version": 2, "environment": ')
        return
    data = json.loads(path.read_text())
    how(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("how, message", [
    ("not json", "not JSON"),
    (lambda d: d.update(schema_version=1), "schema_version 1"),
    (lambda d: d.update(schema_version="2"), "schema_version '2'"),
    (lambda d: d["tests"][0].pop("outcome"), "tests[0].outcome must be"),
    (lambda d: d["environment"].pop("target"), "environment.target"),
    (lambda d: d.pop("summary"), "summary"),
    (lambda d: d["tests"][1].update(outcome="varying"), "variance must be an object"),
    (lambda d: d.update(tests=[1]), "tests[0] must be an object"),
    (lambda d: d["tests"][0].update(id=["a"]), "tests[0].id must be a string"),
    (lambda d: d["tests"][0]["runs"][0].update(sysctls="x"), "runs[0].sysctls must be an object"),
    (lambda d: d["tests"][0]["runs"][0].update(events=3), "runs[0].events must be a string or null"),
    (lambda d: d["tests"][0]["checks"][0].update(outcome="maybe"), "checks[0].outcome must be one of"),
    (lambda d: d["tests"][0].update(observations=json.loads("[" * 100 + "]" * 100)), "nested more than 64 levels deep"),
])
def test_compare_refuses_a_bad_results_file_and_writes_nothing(two_kernels, tmp_path, how, message):
    a, b = two_kernels
    _corrupt(b, how)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([*SOCKSPEC, "compare", str(a), str(b), "-o", str(out / "report.html")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert message in proc.stderr and str(b) in proc.stderr
    assert list(out.iterdir()) == [], "nothing written"


def test_compare_bad_usage(tmp_path, two_kernels):
    for argv in (["compare", "-o", str(tmp_path / "r.html")],
                 ["compare", str(two_kernels[0]), "-o", str(tmp_path / "r.txt")],
                 ["compare", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r.html")]):
        proc = subprocess.run([*SOCKSPEC, *argv], capture_output=True, text=True)
        assert proc.returncode == 2, argv
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.txt").exists()


def test_a_missing_pcap_gives_a_note_not_a_failure(two_kernels, tmp_path):
    a, b = two_kernels
    (b / "pcaps" / "handshake_inet.pcap").write_bytes(b"not a pcap")
    (b / "pcaps" / "listen_backlog0_inet.events.jsonl").unlink()
    out, _ = compare.compare([a, b], tmp_path / "r.html")
    assert "capture unreadable" in out.read_text() and "events unreadable" in out.read_text()


def _repeated(values, outcomes):
    test = _test("tcp_listen_backlog[inet-1]", "tcp_listen_backlog", [], "listen_backlog0_inet")
    first = test["runs"][0]
    test["runs"] = []
    for i, (queued, port) in enumerate(values, 1):
        obs = {"queued": queued, "server_addr": f"127.0.0.1:{port}", "expires_ms": 59990 + i}
        test["runs"].append({**copy.deepcopy(first), "observations": obs, "iteration": i})
    test["outcome"] = "pass"
    apply_variance(test, outcomes, len(values))
    return test


def test_repeats_with_differing_observations_are_varying_with_the_distribution():
    values = [(2, 1000 + i) for i in range(11)] + [(3, 2000 + i) for i in range(7)] + [(4, 3000), (4, 3001)]
    test = _repeated(values, ["pass"] * 20)
    assert test["outcome"] == "varying"
    assert test["reason"] == "queued: 2 x11, 3 x7, 4 x2"
    assert test["variance"] == {"iterations": 20, "outcomes": {"pass": 20},
                                "observations": {"queued": [[2, 11], [3, 7], [4, 2]]}, "timing": {}}
    data = {"schema_version": results.SCHEMA_VERSION,
            "environment": {"target": "gvisor", "kernel_release": "4.4.0", "kernel_version": "#1", "machine": "x"},
            "tests": [test], "summary": results.summarize([test])}
    assert results.validate(data, "x")["summary"]["varying"] == 1


def test_a_timing_dependent_observation_is_a_distribution_not_varying():
    test = _repeated([(2, 1000 + i) for i in range(3)], ["pass"] * 3)
    for i, r in enumerate(test["runs"]):
        r["observations"]["client_states"] = ["ESTABLISHED", "none"] if i else ["ESTABLISHED", "CLOSE-WAIT", "none"]
    test["observation_kinds"]["client_states"] = "timing"
    test["outcome"] = "pass"
    apply_variance(test, ["pass"] * 3, 3)
    assert test["outcome"] == "pass"
    assert test["variance"]["timing"] == {"client_states": [[["ESTABLISHED", "none"], 2],
                                                            [["ESTABLISHED", "CLOSE-WAIT", "none"], 1]]}


def test_repeats_that_agree_stay_pass_and_ports_and_timings_do_not_count():
    test = _repeated([(2, 1000 + i) for i in range(5)], ["pass"] * 5)
    assert test["outcome"] == "pass"
    assert test["variance"]["observations"] == {}


def test_repeats_with_differing_outcomes_are_varying():
    test = _repeated([(2, 1000 + i) for i in range(4)], ["pass", "fail", "pass", "pass"])
    assert test["outcome"] == "varying" and test["reason"] == "outcome: fail x1, pass x3"


def _timing_row(values_a, values_b):
    """A timing-dependent check of tcp_listen_backlog, repeated on two stacks."""
    def cell(values):
        its = [{"iteration": i, "outcome": "pass", "seen": v} for i, v in enumerate(values, 1)]
        return {"state": "judged", "outcome": "pass", "check": {"seen": values[0], "iterations": its}}
    b = compare.catalog_mod.default().behaviours["tcp_listen_backlog"]
    return compare_values.row_difference([cell(values_a), cell(values_b)], "timing", b)


def test_a_timing_dependent_check_differs_only_when_its_distributions_do_not_overlap():
    assert not _timing_row([1_003_000_000, 1_031_000_000], [1_011_000_000, 1_040_000_000])
    assert _timing_row([1_003_000_000, 1_031_000_000], [3_010_000_000, 3_020_000_000])
    # From one run each only the outcome counts: one sample cannot show two distributions apart.
    single = {"state": "judged", "outcome": "pass", "check": {"seen": 1_003_000_000}}
    other = {"state": "judged", "outcome": "pass", "check": {"seen": 3_010_000_000}}
    b = compare.catalog_mod.default().behaviours["tcp_listen_backlog"]
    assert not compare_values.row_difference([single, other], "timing", b)
