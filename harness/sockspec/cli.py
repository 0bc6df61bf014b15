"""scripts/sockspec: the one command-line entry point.

    sockspec run [--target host[,qemu,gvisor]] [--repeat N] [--report] [--jobs N] [-k EXPR]
                                            the full suite on each target: results/host-<release>/,
                                            results/qemu-<guest release>/, results/gvisor/; with
                                            --report also results/report.html and report.md
    sockspec compare DIR... -o OUT.html     results directories merged into one report (+ OUT.md)
    sockspec test                           every test: C++ unit, driver, conformance suite
    sockspec probe NAME [probe flags]       one probe in a fresh namespace, as a ladder
    sockspec docs [--check]                 docs/behaviours.md from the catalog (--check: is it current)
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
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import catalog as catalog_mod
from . import faults as fault_rules
from . import flow, netns, outdir, sysctl, timeline
from .errors import SockspecError, UsageError
from .targets.base import TargetError
from .paths import REPO, RESULTS_DIR, SUITES_DIR, build_dir, check_output_file, probe_path
from .processes import die_with_parent

PYTHON = "/usr/bin/python3"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit status 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def whole_number(low: int, high: int):
    """An argparse type: a decimal integer in [low, high], refused (never wrapped or clamped) outside."""
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value

    return parse


MAX_JOBS = 64


def require_root() -> None:
    if os.geteuid() != 0:
        raise UsageError("sockspec needs root: it makes network namespaces and runs tcpdump in them. "
                         "Run it as root, e.g. sudo scripts/sockspec run")


def build(target: str | None = None) -> Path:
    """Configures (once) and builds the probes and the C++ tests, or only
    `target`; returns the build dir. Ninja: it schedules sixty small programs
    on two cores with less overhead than make."""
    bdir = build_dir()
    cache = bdir / "CMakeCache.txt"
    if cache.exists() and "CMAKE_GENERATOR:INTERNAL=Ninja" not in cache.read_text(errors="replace"):
        # A build directory configured by another generator (an older
        # checkout's make): cmake refuses to switch in place.
        cache.unlink()
        shutil.rmtree(bdir / "CMakeFiles", ignore_errors=True)
    if not cache.exists():
        print(f"build: configuring {_rel(bdir)}/ (cmake -G Ninja)", flush=True)
        _check(["cmake", "-G", "Ninja", "-S", str(REPO), "-B", str(bdir)], "cmake configure", quiet=True)
    t0 = time.monotonic()
    _check(["cmake", "--build", str(bdir)] + (["--target", target] if target else []), "build", quiet=True)
    took = time.monotonic() - t0
    if took > 5:
        print(f"build: {_rel(bdir)}/ built in {took:.0f} s", flush=True)
    return bdir


def _check(argv: list[str], what: str, quiet: bool = False) -> None:
    result = subprocess.run(argv, capture_output=quiet, text=True)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SockspecError(f"{what} failed (exit {result.returncode}): {' '.join(argv)}")


def _pytest(args: list[str]) -> int:
    """Runs pytest as a child; a SIGTERM to us is passed on so it unwinds and cleans up."""
    # Should we die, even by SIGKILL, pytest unwinds as on SIGTERM and removes what it made.
    proc = subprocess.Popen([PYTHON, "-m", "pytest", *args], cwd=REPO, preexec_fn=die_with_parent(signal.SIGTERM))
    previous = signal.signal(signal.SIGTERM, lambda s, f: proc.send_signal(signal.SIGTERM))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


TARGETS = ("host", "qemu", "gvisor")
# Parallel pytest workers per target when --jobs is not given: each qemu
# worker boots its own TCG guest (2 measured fastest on 2 cores), runsc
# sandboxes are cheap but CPU-hungry.
DEFAULT_JOBS = {"host": 4, "qemu": 2, "gvisor": 2}


def results_dir_name(target: str, kernel_release: str | None = None) -> str:
    """results/host-<release>, results/qemu-<guest release>, results/gvisor."""
    if target == "host":
        return f"host-{platform.release()}"
    if target == "qemu" and kernel_release:
        return f"qemu-{kernel_release}"
    return target


def run_suite(target: str, jobs: int, select: str | None, out: Path | None, extra: list[str]) -> tuple[int, Path]:
    """The conformance suite on a target, written to a staging directory and
    moved into place only when complete, so an interrupted run leaves the last
    good results untouched."""
    from . import report, results

    final = out or RESULTS_DIR / results_dir_name(target)
    staging = outdir.staging_for(final)
    try:
        args = [str(SUITES_DIR), "-q", "--sockspec-target", target, "--sockspec-results", str(staging),
                "--junitxml", str(staging / "junit.xml"), "-o", "junit_family=xunit2", "-o", "junit_suite_name=sockspec"]
        if jobs > 1:
            args += ["-n", str(jobs)]
        if select:
            args += ["-k", select]
        code = _pytest(args + extra)
        if code not in (0, 1) or not (staging / "results.json").exists():
            raise SockspecError(f"the suite did not complete (pytest exit {code}); {final} is unchanged")
        report.write_summary(staging)
        if out is None:
            final = RESULTS_DIR / results_dir_name(target, results.load(staging)["environment"]["kernel_release"])
        outdir.install(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        netns.sweep_stale()
    return code, final


def _targets(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in names if t not in TARGETS]
    if not names or bad or len(set(names)) != len(names):
        raise UsageError(f"--target takes a comma-separated list of {', '.join(TARGETS)} (each once), not {text!r}")
    return names


def _check_selection(expression: str) -> None:
    """A -k expression pytest would refuse is bad usage here, not a suite that did not complete."""
    from _pytest.mark.expression import Expression, ParseError

    try:
        Expression.compile(expression)
    except ParseError as e:
        raise UsageError(f"-k {expression[:80]!r}: {e}") from None


def _rel(p: Path) -> str:
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)


def cmd_run(args) -> int:
    from . import compare, results

    targets = _targets(args.target)
    if args.out and len(targets) > 1:
        raise UsageError("--out names one results directory: give one --target with it")
    out = Path(args.out).resolve() if args.out else None
    for target in targets if out is None else []:
        if target != "qemu":  # its directory is named by the guest's release, known once it booted
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
    status, directories, incomplete = 0, [], []
    for target in targets:
        extra = ["--sockspec-repeat", str(args.repeat)]
        if target == "qemu" and args.kernel:
            extra += ["--sockspec-kernel", args.kernel]
        if os.environ.get("SOCKSPEC_BUILD"):
            extra += ["--sockspec-build", os.environ["SOCKSPEC_BUILD"]]
        jobs = args.jobs or DEFAULT_JOBS[target]
        print(f"== {target}: the suite with {jobs} worker{'s' if jobs > 1 else ''}"
              + (f", each probe run {args.repeat} times" if args.repeat > 1 else ""), flush=True)
        t0 = time.monotonic()
        try:
            code, directory = run_suite(target, jobs, args.k, out, extra)
        except SockspecError as e:
            if len(targets) == 1:
                raise
            print(f"sockspec: {target}: {e}", file=sys.stderr)
            incomplete.append(target)
            continue
        data = results.load(directory)
        s = data["summary"]
        print(f"\nsockspec run on {target} ({data['environment']['kernel_release']}): "
              f"{s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, {s['error']} errors"
              + (f", {s.get('varying', 0)} varying" if args.repeat > 1 else "")
              + f" in {time.monotonic() - t0:.1f} s")
        print(f"results: {_rel(directory)}/ (results.json, summary.md, junit.xml, pcaps/)", flush=True)
        directories.append(directory)
        if target in decisive and (code != 0 or s["fail"] or s["error"]):
            status = 1
    if args.report:
        if directories:
            html, md = compare.compare(directories, RESULTS_DIR / "report.html")
            print(f"report: {_rel(html)} and {_rel(md)}")
        else:
            print("sockspec: no target completed; no report written", file=sys.stderr)
    if len(targets) > 1:
        print(f"all targets: {time.monotonic() - t_all:.1f} s")
    if incomplete:
        print(f"sockspec: the run did not complete on {', '.join(incomplete)}", file=sys.stderr)
        status = 1
    return status


def cmd_compare(args) -> int:
    from . import compare

    html, md = compare.compare([Path(d) for d in args.dirs], Path(args.o))
    print(f"report: {_rel(html.resolve())} and {_rel(md.resolve())}")
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
        code = _pytest(["harness/tests", "suites", "-q", "-n", str(args.jobs), "--sockspec-results", tmp])
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
        print(f"removed {_rel(directory)}/")
    if not namespaces and not directories:
        print("nothing left by earlier runs")
    return 0


def cmd_probe(args) -> int:
    require_root()
    from .targets import Invocation, make_target

    from .targets import Fault, Unsupported

    known = sorted(p.stem for p in (REPO / "probes").glob("*.cpp"))
    if args.name not in known:
        raise UsageError(f"no probe named {args.name[:80]!r} (known: {', '.join(known)})")
    faults = [Fault(expr, args.drop_count) for expr in args.drop]
    for fault in faults:
        fault_rules.check(fault)
    sysctls = {}
    for item in args.sysctl:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--sysctl takes KEY=VALUE, not {item[:80]!r}")
        sysctl.check(key, value)
        sysctls[key] = value
    out_dir = Path(args.out) if args.out else build_dir() / "captures"
    pcap = out_dir / f"{args.name}-{time.strftime('%Y%m%d-%H%M%S')}.pcap"
    check_output_file(pcap)
    build(args.name)  # only this probe: a broken one elsewhere does not stop it
    probe_args = list(args.probe_args)
    if probe_args and probe_args[0] == "--":
        probe_args = probe_args[1:]
    if "--help" in probe_args or "-h" in probe_args:
        return subprocess.run([str(probe_path(args.name)), "--help"]).returncode
    target = make_target("host", build_dir())
    try:
        record = target.run(Invocation(args.name, probe_args, sysctls, True, pcap, faults))
    except Unsupported as e:
        raise UsageError(str(e)) from None
    if record.exit_code == 2:  # the probe's own flags were bad: its one line, and no capture kept
        pcap.unlink(missing_ok=True)
        sys.stderr.write(record.stderr)
        return 2
    packets = flow.read_pcap(pcap)
    server = flow.Endpoint.maybe(record.observations.get("server_addr"))
    servers = [server] if server else []
    header = next((e["probe"] for e in record.events if "probe" in e), {})
    print(f"{args.name} ({header.get('family_title', '')}): {header.get('summary', '')}")
    if header.get("claims"):
        print(f"evidence for {', '.join(header['claims'])}; sysctls: {sysctls or 'namespace defaults'}")
    print()
    print(timeline.render_ladder(timeline.build(record.events, packets, servers)))
    if record.exit_code != 0:
        print(f"the probe stopped early (exit {record.exit_code}): {record.stderr.strip()}")
    print("observations:")
    for key, value in record.observations.items():
        print(f"  {key}: {value}")
    print(f"\n{len(packets)} packets captured: {pcap} (open it in Wireshark, or tcpdump -nr)")
    return record.exit_code


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="sockspec", description="socket behaviour test harness and conformance suite")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p_run = sub.add_parser("run", help="install, build, run the full suite, write results and a summary")
    p_run.add_argument("--target", default="host", metavar="T[,T...]",
                       help="where to run: host, qemu, gvisor, or several comma-separated (default host)")
    p_run.add_argument("--jobs", "-j", type=whole_number(1, MAX_JOBS), default=None,
                       help="parallel pytest workers (default: host 4, qemu 2, gvisor 2)")
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
