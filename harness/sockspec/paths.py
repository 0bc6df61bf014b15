"""Where things are: the checkout, the build, the catalog."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError

REPO = Path(__file__).resolve().parents[2]
CATALOG_DIR = REPO / "catalog"
RESULTS_DIR = REPO / "results"
SUITES_DIR = REPO / "suites"


def build_dir() -> Path:
    return Path(os.environ.get("SOCKSPEC_BUILD", REPO / "build"))


def probe_path(name: str, build: Path | None = None) -> Path:
    return (build or build_dir()) / "probes" / name


def launcher_path(build: Path | None = None) -> Path:
    """build/sockspec-enter (harness/launcher/): enters a namespace, dies with its parent, execs."""
    return (build or build_dir()) / "sockspec-enter"


def check_output_file(path: Path) -> None:
    """Raises UsageError unless a regular file can be written at path: it is
    absent or a regular file, and the nearest existing ancestor a directory."""
    if path.exists() and not path.is_file() or path.is_symlink() and not path.exists():
        raise UsageError(f"{path} exists and is not a regular file; nothing written")
    check_can_be_made(path, str(path))


def check_can_be_made(path: Path, shown: str) -> None:
    """Raises UsageError unless the nearest existing ancestor of path is a directory."""
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{shown}: {ancestor} is not a directory; nothing written")
