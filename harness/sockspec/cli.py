"""scripts/sockspec: the one command-line entry point.

    sockspec run [--target host] [--jobs N] [-k EXPR]    the full suite; results/<target>-<release>/
    sockspec test                                        every test: C++ unit, driver, conformance suite
    sockspec probe NAME [probe flags]                    one probe in a fresh namespace, as a ladder
    sockspec install-deps                                the Debian packages sockspec needs
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
from . import flow, netns, timeline
from .errors import SockspecError, UsageError
from .paths import REPO, RESULTS_DIR, SUITES_DIR, build_dir, probe_path

PYTHON = "/usr/bin/python3"


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit status 2."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see --help)")


def require_root() -> None:
    if os.geteuid() != 0:
        raise UsageError("sockspec needs root: it makes network namespaces and runs tcpdump in them. "
                         "Run it as root, e.g. sudo scripts/sockspec run")


def install_deps() -> None:
    result = subprocess.run([str(REPO / "scripts" / "install-deps")])
    if result.returncode != 0:
        raise SockspecError(f"scripts/install-deps failed (exit {result.returncode})")


def build() -> Path:
    """Configures (once) and builds the probes and the C++ tests; returns the build dir."""
    bdir = build_dir()
    if not (bdir / "CMakeCache.txt").exists():
        _check([ "cmake", "-S", str(REPO), "-B", str(bdir), "-DCMAKE_BUILD_TYPE=RelWithDebInfo"], "cmake configure")
    _check(["cmake", "--build", str(bdir), "-j", str(os.cpu_count() or 2)], "build", quiet=True)
    return bdir


def _check(argv: list[str], what: str, quiet: bool = False) -> None:
    result = subprocess.run(argv, capture_output=quiet, text=True)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SockspecError(f"{what} failed (exit {result.returncode}): {' '.join(argv)}")


def _pytest(args: list[str]) -> int:
    """Runs pytest as a child; a SIGTERM to us is passed on so it unwinds and cleans up."""
    proc = subprocess.Popen([PYTHON, "-m", "pytest", *args], cwd=REPO)
    previous = signal.signal(signal.SIGTERM, lambda s, f: proc.send_signal(signal.SIGTERM))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def results_dir_name(target: str) -> str:
    return f"{target}-{platform.release()}" if target == "host" else target


def run_suite(target: str, jobs: int, select: str | None, out: Path | None, extra: list[str]) -> tuple[int, Path]:
    """The conformance suite on a target, written to a staging directory and
    moved into place only when complete, so an interrupted run leaves the last
    good results untouched."""
    from . import report

    final = out or RESULTS_DIR / results_dir_name(target)
    staging = final.parent / f".{final.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
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
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        netns.sweep_stale()
    return code, final


def cmd_run(args) -> int:
    require_root()
    install_deps()
    build()
    netns.sweep_stale()
    t0 = time.monotonic()
    code, directory = run_suite(args.target, args.jobs, args.k, Path(args.out) if args.out else None, [])
    from . import results
    data = results.load(directory)
    s = data["summary"]
    print(f"\nsockspec run on {args.target} ({data['environment']['kernel_release']}): "
          f"{s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, {s['error']} errors "
          f"in {time.monotonic() - t0:.1f} s")
    print(f"results: {directory.relative_to(REPO) if directory.is_relative_to(REPO) else directory}/"
          f" (results.json, summary.md, junit.xml, pcaps/)")
    return 0 if code == 0 and s["fail"] == 0 and s["error"] == 0 else 1


def cmd_test(args) -> int:
    require_root()
    install_deps()
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


def cmd_probe(args) -> int:
    require_root()
    from .targets import Invocation, make_target

    if not probe_path(args.name).exists():
        build()
    if not probe_path(args.name).exists():
        known = sorted(p.name for p in (build_dir() / "probes").iterdir()) if (build_dir() / "probes").is_dir() else []
        raise UsageError(f"no probe named {args.name!r} (known: {', '.join(known)})")
    sysctls = {}
    for item in args.sysctl:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--sysctl takes KEY=VALUE, not {item!r}")
        sysctls[key] = value
    probe_args = list(args.probe_args)
    if probe_args and probe_args[0] == "--":
        probe_args = probe_args[1:]
    if "--help" in probe_args or "-h" in probe_args:
        return subprocess.run([str(probe_path(args.name)), "--help"]).returncode
    out_dir = Path(args.out) if args.out else build_dir() / "captures"
    pcap = out_dir / f"{args.name}-{time.strftime('%Y%m%d-%H%M%S')}.pcap"
    target = make_target("host", build_dir())
    record = target.run(Invocation(args.name, probe_args, sysctls, True, pcap))
    if record.exit_code == 2:
        sys.stderr.write(record.stderr)
        return 2
    packets = flow.read_pcap(pcap)
    servers = [flow.Endpoint.parse(record.observations["server_addr"])] if "server_addr" in record.observations else []
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


def cmd_install_deps(args) -> int:
    install_deps()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="sockspec", description="socket behaviour test harness and conformance suite")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p_run = sub.add_parser("run", help="install, build, run the full suite, write results and a summary")
    p_run.add_argument("--target", default="host", choices=["host", "qemu", "gvisor"])
    p_run.add_argument("--jobs", "-j", type=int, default=4, help="parallel pytest workers (default 4)")
    p_run.add_argument("-k", default=None, metavar="EXPR", help="only tests matching this pytest -k expression")
    p_run.add_argument("--out", default=None, help="results directory (default results/<target>-<kernel>)")
    p_run.set_defaults(fn=cmd_run)

    p_test = sub.add_parser("test", help="every test: C++ unit tests, driver tests, conformance suite")
    p_test.add_argument("--jobs", "-j", type=int, default=4)
    p_test.set_defaults(fn=cmd_test)

    p_probe = sub.add_parser("probe", help="one probe in a fresh namespace with capture, shown as a ladder")
    p_probe.add_argument("--sysctl", action="append", default=[], metavar="KEY=VALUE",
                         help="set inside the probe's namespace (repeatable)")
    p_probe.add_argument("--out", default=None, help="directory for the pcap (default build/captures)")
    p_probe.add_argument("name")
    p_probe.add_argument("probe_args", nargs=argparse.REMAINDER, help="the probe's own flags")
    p_probe.set_defaults(fn=cmd_probe)

    p_deps = sub.add_parser("install-deps", help="apt-get what is missing (idempotent)")
    p_deps.set_defaults(fn=cmd_install_deps)

    try:
        args = parser.parse_args(argv)
        if getattr(args, "jobs", 1) < 1:
            raise UsageError("--jobs must be at least 1")
        return args.fn(args)
    except SockspecError as e:
        print(f"sockspec: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        netns.sweep_stale()
        print("sockspec: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
