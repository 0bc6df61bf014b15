"""Where things are: the checkout, the build, the catalog."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CATALOG_DIR = REPO / "catalog"
RESULTS_DIR = REPO / "results"
SUITES_DIR = REPO / "suites"


def build_dir() -> Path:
    return Path(os.environ.get("SOCKSPEC_BUILD", REPO / "build"))


def probe_path(name: str, build: Path | None = None) -> Path:
    return (build or build_dir()) / "probes" / name
