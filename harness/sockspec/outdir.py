"""Results directories: which ones a run may replace, and the staging
directory it writes first.

sockspec runs as root, so `run --out DIR` replaces DIR only when all it holds
is what sockspec writes there (results.json that reads as a results file,
summary.md, junit.xml, pcaps/ with captures and events). Anything else and
the run refuses, before it starts and again before the rename. A run writes
into `.<name>.staging-<pid>` beside DIR and renames it over DIR when
complete; a staging directory whose run was killed is removed by the next run
or `sockspec clean`, never while its run lives.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from . import processes, untrusted
from .errors import UsageError
from .paths import check_can_be_made

ENTRIES = frozenset({"results.json", "summary.md", "junit.xml", "pcaps", ".fragments"})
RUN_FILES = re.compile(r".+\.(pcap|events\.jsonl|tcpdump\.log|json)")
LEFTOVER = re.compile(r"\.(?P<name>.+)\.(staging|old)-(?P<pid>\d+)")


def _foreign(directory: Path) -> list[str]:
    """What in directory sockspec would not have written there."""
    foreign = []
    for entry in os.scandir(directory):
        if entry.name not in ENTRIES:
            foreign.append(entry.name)
        elif entry.name in ("pcaps", ".fragments"):
            if not entry.is_dir(follow_symlinks=False):
                foreign.append(entry.name)
                continue
            foreign += [f"{entry.name}/{f.name}" for f in os.scandir(entry.path)
                        if not f.is_file(follow_symlinks=False) or not RUN_FILES.fullmatch(f.name)]
        elif not entry.is_file(follow_symlinks=False):
            foreign.append(entry.name)
    return sorted(foreign)


def _is_results_file(directory: Path) -> bool:
    try:
        data = untrusted.load_json(untrusted.read_inside(directory, "results.json", untrusted.MAX_RESULTS_BYTES),
                                   "results.json")
    except (FileNotFoundError, UsageError):
        return False
    return isinstance(data, dict) and isinstance(data.get("environment"), dict) and "schema_version" in data


def check_replaceable(final: Path) -> None:
    """Raises UsageError unless final is absent, empty, or a results directory sockspec wrote."""
    refuse = f"--out {final}"
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        raise UsageError(f"{refuse} is not a directory; nothing changed")
    if not final.exists():
        check_can_be_made(final, refuse)
        return
    if not any(final.iterdir()):
        return
    foreign = _foreign(final)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise UsageError(f"{refuse} holds what sockspec did not write ({shown}); it replaces only a "
                         "results directory of its own; nothing changed")
    if not _is_results_file(final):
        raise UsageError(f"{refuse} has no sockspec results.json; nothing changed")


def remove_leftovers(parent: Path, name: str | None = None) -> list[Path]:
    """Removes the staging (and half-replaced) directories of killed runs in
    parent, of results directory `name` or of any; returns them."""
    removed = []
    if not parent.is_dir():
        return removed
    for entry in os.scandir(parent):
        m = LEFTOVER.fullmatch(entry.name)
        if not m or (name is not None and m["name"] != name) or not entry.is_dir(follow_symlinks=False):
            continue
        made_at = entry.stat(follow_symlinks=False).st_mtime
        if processes.owner_alive(int(m["pid"]), made_at) or _foreign(Path(entry.path)):
            continue
        shutil.rmtree(entry.path)
        removed.append(Path(entry.path))
    return removed


def staging_for(final: Path) -> Path:
    """A fresh, empty staging directory beside final."""
    remove_leftovers(final.parent, final.name)
    staging = final.parent / f".{final.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
    except OSError as e:
        raise UsageError(f"--out {final}: cannot make {staging} ({e.strerror}); nothing changed") from None
    return staging


def install(staging: Path, final: Path) -> None:
    """Renames the complete staging directory over final, if final may be replaced."""
    check_replaceable(final)
    if not final.exists():
        staging.rename(final)
        return
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    final.rename(old)
    try:
        staging.rename(final)
    except BaseException:
        old.rename(final)
        raise
    shutil.rmtree(old)
