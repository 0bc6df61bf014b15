"""scripts/sockspec: the one command-line entry point.

    sockspec run [--target STACK[,STACK...] or all] [--parallel N] [--repeat N] [--report] [--jobs N] [-k EXPR]
                                            the full suite on each target: results/host-<release>/,
                                            results/qemu-<guest release>/, results/gvisor-<runsc version>/; with
                                            --report also results/report.html and report.md
    sockspec compare DIR... -o OUT.html     results directories merged into one report (+ OUT.md)
    sockspec test                           every test: C++ unit, driver, conformance suite
    sockspec probe NAME [probe flags]       one probe in a fresh namespace, as a ladder
    sockspec docs [--check]                 docs/behaviours.md from the catalog (--check: is it current)
    sockspec new AREA NAME                  a new behaviour: probe, catalog table, suite file, docs
    sockspec clean                          what killed runs left: namespaces (and what runs in them),
                                            staging directories under results/
    sockspec install-deps                   the Debian packages sockspec needs

Exit status of `run`: 1 when a test of the host target failed or errored
(with no host target: of the targets given), or when a target's run could not
complete; differences (failures) on qemu or gvisor are results, shown in the
report, and do not fail the command. `varying` tests (--repeat) are not
failures either: the report shows their distribution.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import faults as fault_rules
from . import netns, outdir
from .command_line import MAX_JOBS, Parser, build, rel, require_root, run_pytest, whole_number
from .errors import SockspecError, TargetError, UsageError
from .paths import RESULTS_DIR, build_dir
from .probe_ladder import cmd_probe
from .run_targets import (SuiteRun, fetch_for, previous_results, previous_wall_s, qemu_workers, results_dir_name,
                          run_concurrently, time_report)
from .targets import ALL_STACKS, parse_stack
from .scaffold import cmd_new

# Parallel pytest workers per target when --jobs is not given: each qemu
# worker boots its own TCG guest (run_targets.qemu_workers: 2 for one suite,
# fewer when several share the guests), runsc sandboxes are cheap but CPU-hungry. On the host most tests wait on a
# protocol timer, so workers beyond the cores shorten the wall until the CPU
# (about 75 s for the suite, 1.3 s more per worker to start) is busy: 12 and
# 16 workers were no faster than 8 (docs/architecture.md, Timing).
DEFAULT_JOBS = {"host": 8, "gvisor": 2}   # qemu: run_targets.qemu_workers()


def check_starts(target: str) -> None:
    """A stack that cannot run a program at all is one error, before its suite starts."""
    from .paths import build_dir
    from .targets import make_target

    try:
        with make_target(target, build_dir()) as stack:
            stack.check_starts()
    except TargetError as e:
        raise SockspecError(f"{target} cannot run the suite: {e}") from None


def _targets(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if names == ["all"]:
        return list(ALL_STACKS)
    if not names or len(set(names)) != len(names):
        raise UsageError(f"--target takes a comma-separated list of stacks ({', '.join(ALL_STACKS)}; "
                         f"each once), or all, not {text[:80]!r}")
    for name in names:
        parse_stack(name)
    return names


def _check_selection(expression: str) -> None:
    """A -k expression pytest would refuse is bad usage here, not a suite that did not complete."""
    from _pytest.mark.expression import Expression, ParseError

    try:
        Expression.compile(expression)
    except ParseError as e:
        raise UsageError(f"-k {expression[:80]!r}: {e}") from None


def cmd_run(args) -> int:
    from . import compare, results

    targets = _targets(args.target)
    if args.out and len(targets) > 1:
        raise UsageError("--out names one results directory: give one --target with it")
    out = Path(args.out).resolve() if args.out else None
    for target in targets if out is None else []:
        if parse_stack(target)[0] == "host":  # the others are named by the release they report
            outdir.check_replaceable(RESULTS_DIR / results_dir_name(target))
    if out is not None:
        outdir.check_replaceable(out)
    if args.k is not None:
        _check_selection(args.k)
    if args.kernel is not None and not Path(args.kernel).is_file():
        raise UsageError(f"--kernel {args.kernel}: no such file (a bzImage to boot)")
    require_root()
    build()
    netns.sweep_stale()
    t_all = time.monotonic()
    decisive = [t for t in targets if t == "host"] or targets
    status, directories, incomplete, fetch_s = 0, [], [], {}
    for target in targets:
        t0 = time.monotonic()
        try:
            fetched = fetch_for(target, args.kernel is not None)
            check_starts(target)
        except SockspecError as e:
            if len(targets) == 1:
                raise
            print(f"sockspec: {e}", file=sys.stderr)
            incomplete.append(target)
        fetch_s[target] = time.monotonic() - t0
        if fetch_s[target] >= 1:
            print(f"fetch: {target}: {fetched} in {fetch_s[target]:.1f} s", flush=True)
    runs, extras = [], {}
    for target in targets:
        if target in incomplete:
            continue
        extra = ["--sockspec-repeat", str(args.repeat)]
        durations = previous_results(target)
        if durations is not None:
            extra += ["--sockspec-durations", str(durations)]
        if parse_stack(target)[0] == "qemu" and args.kernel:
            extra += ["--sockspec-kernel", args.kernel]
        if os.environ.get("SOCKSPEC_BUILD"):
            extra += ["--sockspec-build", os.environ["SOCKSPEC_BUILD"]]
        extras[target] = extra
        kind = parse_stack(target)[0]
        jobs = args.jobs or (qemu_workers(sum(parse_stack(t)[0] == "qemu" for t in targets)) if kind == "qemu"
                             else DEFAULT_JOBS[kind])
        final = out or RESULTS_DIR / results_dir_name(target)
        log = None if len(targets) == 1 else build_dir() / "logs" / f"{target.replace(':', '-')}.log"
        runs.append(SuiteRun(target, jobs, final, outdir.staging_for(final), log))
        print(f"== {target}: the suite with {jobs} worker{'s' if jobs > 1 else ''}"
              + (f", each probe run {args.repeat} times" if args.repeat > 1 else "")
              + (f" (its output: {rel(log)})" if log else ""), flush=True)
    runs.sort(key=lambda r: -previous_wall_s(r.target))
    try:
        for run in run_concurrently(runs, args.k, extras, args.parallel):
            try:
                directory = run.finish(out is not None)
            except SockspecError as e:
                if len(targets) == 1:
                    raise
                print(f"sockspec: {run.target}: {e}", file=sys.stderr)
                incomplete.append(run.target)
                continue
            data = results.load(directory)
            s = data["summary"]
            print(f"\nsockspec run on {run.target} ({data['environment']['kernel_release']}): "
                  f"{s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, {s['error']} errors"
                  + (f", {s.get('varying', 0)} varying" if args.repeat > 1 else "")
                  + f" in {run.wall_s:.1f} s")
            print(f"results: {rel(directory)}/ (results.json, summary.md, junit.xml, pcaps/)", flush=True)
            directories.append(directory)
            if run.target in decisive and (run.code != 0 or s["fail"] or s["error"]):
                status = 1
    finally:
        for run in runs:
            shutil.rmtree(run.staging, ignore_errors=True)
        netns.sweep_stale()
    incomplete += [run.target for run in runs if run.proc is None]   # stopped before its turn came
    if args.report:
        if directories:
            html, md = compare.compare(directories, RESULTS_DIR / "report.html")
            print(f"report: {rel(html)} and {rel(md)}")
        else:
            print("sockspec: no target completed; no report written", file=sys.stderr)
    if len(targets) > 1:
        print(time_report(runs, fetch_s, time.monotonic() - t_all))
    if incomplete:
        print(f"sockspec: the run did not complete on {', '.join(incomplete)}", file=sys.stderr)
        status = 1
    return status


def cmd_compare(args) -> int:
    from . import compare

    html, md = compare.compare([Path(d) for d in args.dirs], Path(args.o))
    print(f"report: {rel(html.resolve())} and {rel(md.resolve())}")
    return 0


def cmd_docs(args) -> int:
    try:
        from . import docs
    except ImportError as e:
        raise SockspecError(f"sockspec docs: harness/sockspec/docs.py is missing or broken ({e})") from None
    return docs.main(args.check)


def cmd_test(args) -> int:
    require_root()
    bdir = build()
    netns.sweep_stale()
    failures = []
    print("== C++ harness unit tests (ctest)", flush=True)
    if subprocess.run(["ctest", "--test-dir", str(bdir), "--output-on-failure", "-j", "2"]).returncode != 0:
        failures.append("C++ unit tests")
    print("== driver tests and conformance suite (pytest)", flush=True)
    with tempfile.TemporaryDirectory(prefix="sockspec-test-") as tmp:
        durations = previous_results("host")
        code = run_pytest(["harness/tests", "suites", "-q", "-n", str(args.jobs), "--sockspec-results", tmp]
                          + (["--sockspec-durations", str(durations)] if durations else []))
    if code != 0:
        failures.append("pytest")
    netns.sweep_stale()
    if failures:
        print(f"sockspec test: FAILED: {', '.join(failures)}")
        return 1
    print("sockspec test: all passed")
    return 0


def cmd_clean(args) -> int:
    require_root()
    namespaces = netns.sweep_stale()
    directories = outdir.remove_leftovers(RESULTS_DIR)
    for name in namespaces:
        print(f"removed namespace {name}")
    for directory in directories:
        print(f"removed {rel(directory)}/")
    if not namespaces and not directories:
        print("nothing left by earlier runs")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="sockspec", description="socket behaviour test harness and conformance suite")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p_run = sub.add_parser("run", help="install, build, run the full suite, write results and a summary")
    p_run.add_argument("--target", default="host", metavar="T[,T...]",
                       help="where to run: host, qemu[:5.10|6.1|6.12|7.2], gvisor[:2022|2024], several "
                            "comma-separated, or all (default host)")
    p_run.add_argument("--jobs", "-j", type=whole_number(1, MAX_JOBS), default=None,
                       help="parallel pytest workers (default: host 8, gvisor 2, qemu 2, or 1 each "
                            "when more than two qemu suites run)")
    p_run.add_argument("--parallel", type=whole_number(1, len(ALL_STACKS)), default=None, metavar="N",
                       help="run at most N targets' suites at once (default: all of them, the longest first, "
                            "and at most one qemu suite per core)")
    p_run.add_argument("--repeat", type=whole_number(1, 1000), default=1, metavar="N",
                       help="run each test's probes N times; differing runs are reported as varying")
    p_run.add_argument("--report", action="store_true",
                       help="then write results/report.html and report.md comparing the targets' results")
    p_run.add_argument("--kernel", default=None, metavar="BZIMAGE", help="qemu: boot this kernel instead")
    p_run.add_argument("-k", default=None, metavar="EXPR", help="only tests matching this pytest -k expression")
    p_run.add_argument("--out", default=None, help="results directory (default results/<target>-<kernel>)")
    p_run.set_defaults(fn=cmd_run)

    p_test = sub.add_parser("test", help="every test: C++ unit tests, driver tests, conformance suite")
    p_test.add_argument("--jobs", "-j", type=whole_number(1, MAX_JOBS), default=4)
    p_test.set_defaults(fn=cmd_test)

    p_probe = sub.add_parser("probe", help="one probe in a fresh namespace with capture, shown as a ladder",
                             description="Runs one probe in a fresh namespace with capture and prints the syscalls "
                                         "and packets on one timeline. sockspec's options go before NAME, the "
                                         "probe's own flags after it (see: scripts/sockspec probe NAME --help).")
    p_probe.add_argument("--sysctl", action="append", default=[], metavar="KEY=VALUE",
                         help="set inside the probe's namespace (repeatable)")
    p_probe.add_argument("--out", default=None, help="directory for the pcap (default build/captures)")
    p_probe.add_argument("--drop", action="append", default=[], metavar="NFT_EXPR",
                         help="drop packets matching this nftables expression in the namespace, e.g. "
                              "'tcp flags == ack' (repeatable; dropped packets are absent from the capture)")
    p_probe.add_argument("--drop-count", type=whole_number(0, fault_rules.MAX_COUNT), default=0, metavar="N",
                         help="drop only the first N matches of each --drop (default 0: every one)")
    p_probe.add_argument("name")
    p_probe.add_argument("probe_args", nargs=argparse.REMAINDER, help="the probe's own flags")
    p_probe.set_defaults(fn=cmd_probe)

    p_cmp = sub.add_parser("compare", help="merge results directories into one report (HTML + Markdown)")
    p_cmp.add_argument("dirs", nargs="+", metavar="DIR", help="results directories (or results.json files)")
    p_cmp.add_argument("-o", required=True, metavar="OUT.html", help="the HTML report; OUT.md is written beside it")
    p_cmp.set_defaults(fn=cmd_compare)

    p_docs = sub.add_parser("docs", help="write docs/behaviours.md from the catalog")
    p_docs.add_argument("--check", action="store_true", help="only check that the committed file is current")
    p_docs.set_defaults(fn=cmd_docs)

    p_new = sub.add_parser("new", help="a new behaviour: its probe, catalog table and suite file, and the docs",
                           description="Writes probes/NAME.cpp, a [NAME] table in catalog/behaviours/AREA.toml "
                                       "and suites/AREA/test_NAME.py (one test that fails until its checks are "
                                       "written), and regenerates docs/behaviours.md.")
    p_new.add_argument("area", help="the suites/ directory the behaviour's tests go in, e.g. tcp_close")
    p_new.add_argument("name", help="the behaviour's name: the probe's, the tests' and the catalog table's")
    p_new.set_defaults(fn=cmd_new)

    p_clean = sub.add_parser("clean", help="remove what killed runs left (never what a live run uses)")
    p_clean.set_defaults(fn=cmd_clean)

    # scripts/sockspec runs scripts/install-deps itself, before Python starts.
    sub.add_parser("install-deps", help="apt-get what is missing (idempotent)")

    try:
        args = parser.parse_args(argv)
        return args.fn(args)
    except SockspecError as e:
        print(f"sockspec: {e}", file=sys.stderr)
        return e.exit_code
    except TargetError as e:
        print(f"sockspec: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        netns.sweep_stale()
        print("sockspec: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
