"""What sockspec's commands share: the argument parser that reports bad usage
as one line and exit 2, number arguments, the root check, the build, and
pytest as a child that unwinds with us."""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .errors import SockspecError, UsageError
from .paths import REPO, build_dir
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
        print(f"build: configuring {rel(bdir)}/ (cmake -G Ninja)", flush=True)
        run_checked(["cmake", "-G", "Ninja", "-S", str(REPO), "-B", str(bdir)], "cmake configure", quiet=True)
    t0 = time.monotonic()
    run_checked(["cmake", "--build", str(bdir)] + (["--target", target] if target else []), "build", quiet=True)
    took = time.monotonic() - t0
    if took > 5:
        print(f"build: {rel(bdir)}/ built in {took:.0f} s", flush=True)
    return bdir


def run_checked(argv: list[str], what: str, quiet: bool = False) -> None:
    result = subprocess.run(argv, capture_output=quiet, text=True)
    if result.returncode != 0:
        if quiet:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SockspecError(f"{what} failed (exit {result.returncode}): {' '.join(argv)}")


def run_pytest(args: list[str]) -> int:
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


def rel(p: Path) -> str:
    return str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)
