"""The report's "What changed, and since when": the differing checks along
the Linux columns in kernel version order, each change named by the first
version showing it. Results files written here stand in for kernels (this is
report code: it reads results, it observes nothing)."""
from __future__ import annotations

import dataclasses
import json
import re

from sockspec import catalog as catalog_mod
from sockspec import compare
from sockspec.compare_since import kernel_version
from test_compare import HOSTILE, make_results

CHECK = "tcp_listen_backlog[inet-0] · queue_capped"


def stack(tmp_path, name, release, queued, target="qemu", edit=None):
    """A results directory whose queue_capped check saw `queued` (passes at 1);
    `edit(data)` changes its results file before it is read."""
    directory = make_results(tmp_path / name, target, release, queued, "pass" if queued == 1 else "fail")
    if edit is not None:
        data = json.loads((directory / "results.json").read_text())
        edit(data)
        (directory / "results.json").write_text(json.dumps(data))
    return directory


def since(dirs, catalog=None):
    return compare.build_model(compare.load_columns(dirs), catalog or catalog_mod.default())["since"]


def line(tmp_path, dirs, catalog=None) -> str:
    """The Markdown line of queue_capped in the since-when section ('' when it is not there)."""
    _, md_path = compare.compare(dirs, tmp_path / "out" / "r.html", catalog)
    md = md_path.read_text()
    section = md[md.index("## What changed, and since when"):md.index("## Not observed")]
    found = [x for x in section.splitlines() if x.startswith(f"- `{CHECK}`")]
    return found[0] if found else ""


def unobservable(data):
    data["tests"][1]["checks"][0].update(outcome="unobservable", seen={"unobservable": "no listener TCP_INFO"},
                                         reason="no listener TCP_INFO")


def test_kernel_version_is_parsed_from_the_release():
    assert kernel_version("6.12.117+deb13-cloud-amd64") == (6, 12, 117)
    assert kernel_version("6.1.0-50-cloud-amd64") == (6, 1, 0)
    assert kernel_version("6.18") == (6, 18, 0)
    assert kernel_version("next") is None and kernel_version(None) is None and kernel_version(["6.1"]) is None


def test_versions_are_ordered_by_release_not_by_directory_name(tmp_path):
    # Given, and by directory name: 7.2, 6.10, 6.9; by label "qemu 6.10.2" < "qemu 6.9.0-1-amd64";
    # by version 6.9 < 6.10 < 7.2.
    dirs = [stack(tmp_path, "a-7.2", "7.2.13+deb14-cloud-amd64", 1), stack(tmp_path, "m-6.10", "6.10.2", 1),
            stack(tmp_path, "z-6.9", "6.9.0-1-amd64", 3)]
    view = since(dirs)
    assert [s["version"] for s in view["order"]] == ["6.9", "6.10", "7.2"]
    assert line(tmp_path, dirs).endswith("**6.9**: 3 (fail) → **since 6.10**: 1 (pass)")
    assert [g["since"] for g in view["groups"]] == ["6.10"]
    assert view["pointer"] == ("1 of the differing checks changes along the Linux versions (6.9 to 7.2): what "
                               "changed, and since when, follows the differences.")


def test_versions_that_share_a_number_are_told_apart_by_release_then_by_label(tmp_path):
    dirs = [stack(tmp_path, "h1", "6.18.44", 1, "host"), stack(tmp_path, "h2", "6.18.44", 3, "host"),
            stack(tmp_path, "q", "6.18.9", 1), stack(tmp_path, "o", "6.1.0", 1)]
    view = since(dirs)
    assert [s["version"] for s in view["order"]] == ["6.1", "6.18.9", "host 6.18.44", "host 6.18.44 (2)"]
    assert view["labels"]["6.18.9"] == "qemu 6.18.9"
    assert line(tmp_path, dirs).endswith("**since host 6.18.44 (2)**: 3 (fail)")


def test_a_check_that_changed_twice_lists_both_changes_and_a_return_is_marked(tmp_path):
    dirs = [stack(tmp_path, "q-6.12", "6.12.1", 2), stack(tmp_path, "q-5.10", "5.10.0-32", 3),
            stack(tmp_path, "q-6.1", "6.1.0-50", 1), stack(tmp_path, "q-6.18", "6.18.44", 2)]
    assert line(tmp_path, dirs).endswith("**5.10**: 3 (fail) → **since 6.1**: 1 (pass) → **since 6.12**: 2 (fail)")
    view = since(dirs)
    (h,) = view["groups"][0]["checks"]
    assert h["changes"] == 2 and [st["versions"] for st in h["stretches"]] == [["5.10"], ["6.1"], ["6.12", "6.18"]]
    assert view["more_than_once"] == 1
    back = [stack(tmp_path, "b-5.10", "5.10.0", 3), stack(tmp_path, "b-6.1", "6.1.0", 1),
            stack(tmp_path, "b-6.6", "6.6.0", 1), stack(tmp_path, "b-6.12", "6.12.0", 3)]
    assert line(tmp_path, back).endswith("**5.10**: 3 (fail) → **since 6.1, through 6.6**: 1 (pass) → "
                                         "**since 6.12**: 3 (fail) (as on 5.10)")


def test_an_unobservable_value_is_shown_as_such_and_is_no_change(tmp_path):
    gvisor = stack(tmp_path, "gvisor", "4.4.0", 1, target="gvisor")  # the row differs, but not along Linux
    same = [stack(tmp_path, "s-5.10", "5.10.0", 3), stack(tmp_path, "s-6.1", "6.1.0", 3, edit=unobservable),
            stack(tmp_path, "s-6.12", "6.12.0", 3), gvisor]
    assert since(same)["checks"] == 0 and line(tmp_path, same) == ""
    changed = [stack(tmp_path, "c-5.10", "5.10.0", 3), stack(tmp_path, "c-6.1", "6.1.0", 3, edit=unobservable),
               stack(tmp_path, "c-6.12", "6.12.0", 1)]
    assert line(tmp_path, changed).endswith(
        "**5.10**: 3 (fail) → **since 6.12** (6.1 not judged): 1 (pass); "
        "not judged on 6.1: unobservable: no listener TCP\\_INFO")
    skipped = [stack(tmp_path, "k-5.10", "5.10.0", 3), stack(tmp_path, "k-6.12", "6.12.0", 1),
               stack(tmp_path, "k-6.1", "6.1.0", 1, edit=lambda d: d["tests"][1].update(outcome="skip",
                                                                                      reason="no sock_diag"))]
    assert "(6.1 not judged)" in line(tmp_path, skipped) and "not observed: skipped: no sock\\_diag" in \
        line(tmp_path, skipped)


def test_timing_and_context_keys_are_no_change(tmp_path):
    def timed(queued, rtt_ms, duration):
        def edit(data):
            data["environment"].update(duration_s=duration, started_at=f"2026-12-01T00:0{duration}:00Z")
            data["tests"][1]["duration_s"] = duration
            data["tests"][1]["checks"][0]["seen"] = queued
            data["tests"][1]["checks"].append(compare_check("handshake_rtt", {"state": "ESTABLISHED",
                                                                              "rtt_ms": rtt_ms}))
        return edit
    dirs = [stack(tmp_path, f"t-{r}", r, 1, edit=timed(q, ms, n))
            for n, (r, q, ms) in enumerate([("5.10.0", 1, 3), ("6.1.0", 2, 9), ("6.12.0", 3, 27)], 1)]
    base = catalog_mod.default()
    backlog = dataclasses.replace(base.behaviours["tcp_listen_backlog"], timing=("queue_capped",))
    timing_catalog = dataclasses.replace(base, behaviours={**base.behaviours, "tcp_listen_backlog": backlog})
    assert since(dirs, timing_catalog)["checks"] == 0, "one run each: a timing check's value is no change"
    assert since(dirs)["checks"] == 1, "control: the same values of a check that is not timing-dependent change"
    assert since(dirs)["groups"][0]["checks"][0]["check"] == "queue_capped", "rtt_ms is context, never a change"


def compare_check(cid, seen):
    return {"id": cid, "says": f"the {cid} check", "outcome": "pass", "relation": "==", "expected": seen,
            "seen": seen, "reason": None, "claim": None, "refutes": None, "source": "tcp(7)", "evaluations": 1,
            "failures": 0}


def test_gvisor_stands_outside_the_order_and_the_view_says_so(tmp_path):
    dirs = [stack(tmp_path, "gvisor", "4.4.0", 3, target="gvisor"), stack(tmp_path, "h-6.18", "6.18.44", 1, "host"),
            stack(tmp_path, "q-6.1", "6.1.0", 1)]
    view = since(dirs)
    assert [s["label"] for s in view["order"]] == ["qemu 6.1.0", "host 6.18.44"] and view["checks"] == 0
    assert [o["label"] for o in view["outside"]] == ["gvisor 4.4.0"]
    out, md_path = compare.compare(dirs, tmp_path / "r.html")
    assert "Not in that order: gvisor 4.4.0 (gVisor is a network stack of its own" in md_path.read_text()
    assert "None: no check's outcome or value changes along the Linux versions." in md_path.read_text()
    html = out.read_text()
    assert 'id="since"' in html and "Not in that order: <b>gvisor 4.4.0</b>" in html
    assert "<p>None: no check&#39;s outcome or value changes along the Linux versions.</p>" in html
    one = compare.compare(dirs[:2], tmp_path / "one.html")[1].read_text()
    assert "Fewer than two Linux versions among the results: nothing to order." in one


def test_text_in_the_since_view_is_inert_in_html_and_markdown(tmp_path):
    def hostile(data):
        data["environment"]["kernel_release"] = "6.1.0-2" + HOSTILE  # the same 6.1: shown by its whole release
        data["tests"][1]["checks"][0].update(says=HOSTILE, seen=HOSTILE)
    dirs = [stack(tmp_path, "a", "6.1.0-1", 1), stack(tmp_path, "b", "6.1.0-2", 3, edit=hostile)]
    view = since(dirs)
    assert view["checks"] == 1 and view["order"][1]["version"].endswith(HOSTILE)
    out, md_path = compare.compare(dirs, tmp_path / "r.html")
    html = out.read_text()
    section = html[html.index('id="since"'):html.index('id="not-observed"')]
    assert "&lt;script&gt;" in section and "<script" not in html and "<img" not in html
    md = md_path.read_text()
    part = md[md.index("## What changed, and since when"):md.index("## Not observed")]
    prose = re.sub(r"`[^`\n]*`", "", part)
    assert "&lt;script&gt;" in prose and not re.findall(r"<(/?\w+)", prose)
    assert not re.search(r"(?<!\\)\]\(javascript:", prose) and "\\[x\\](javascript:alert(3))" in prose
