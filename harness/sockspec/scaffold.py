"""`sockspec new AREA NAME`: a new behaviour in one step.

Writes the three places a behaviour lives, each naming the others: the probe
(probes/NAME.cpp, a connected pair on loopback to start the timeline from),
its table in catalog/behaviours/AREA.toml, and its suite file
(suites/AREA/test_NAME.py, one test whose placeholder check fails until the
behaviour's own checks replace it); then regenerates docs/behaviours.md.
Everything is checked before anything is written, and a failure on the way
takes back what was written, so bad input leaves the tree as it was.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from . import catalog as catalog_mod
from . import docs
from .errors import SockspecError, UsageError
from .paths import CATALOG_DIR, REPO, SUITES_DIR

NAME = re.compile(r"[a-z][a-z0-9_]{2,62}")

PROBE = '''\
// {name}: scaffolded by scripts/sockspec new; make this the behaviour's timeline.
#include "sockspec/scenario.h"

int main(int argc, char** argv) {{
  sockspec::Probe probe("{name}",
      "A client connect()s to a listener on loopback and the server accept()s;\\n"
      "then both ends close. Say here, in the order it happens, what the scenario\\n"
      "does and what it observes.");
  return probe.main(argc, argv, [](sockspec::Probe& p) {{
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 1);
    sockspec::Connection conn = sockspec::establish(p, listener);
    p.client().close(conn.client);
    p.server().close(conn.server);
    p.server().close(listener.fd);
  }});
}}
'''

CATALOG_TABLE = '''
[{name}]
title = "{name}: the behaviour as a fact, in one line (write it)"
area = "{area}"
claims = []
sources = ["where the expected behaviour is documented: RFC section, man page, kernel source (write it)"]
families = ["inet", "inet6"]
linux = "Not observed yet: say what Linux does once the probe shows it."
'''

SUITE = '''\
"""{name}: its probe is probes/{name}.cpp, its title, claims and sources are
[{name}] in catalog/behaviours/{area}.toml."""
import pytest

# No capture shows this, so the placeholder fails until real checks replace it.
NOT_WRITTEN = "the checks of {name} are not written yet"


@pytest.mark.behaviour("{name}")
def test_{name}(probe, family, expect):
    run = probe()
    conn = run.connection()
    expect.eq("placeholder", [s.label for s in conn.segments], NOT_WRITTEN,
              "{name}'s checks are written (scripts/sockspec new left this placeholder)")
'''


def areas() -> list[str]:
    """The suites/ areas that have a catalog file."""
    return sorted(p.stem for p in (CATALOG_DIR / "behaviours").glob("*.toml") if (SUITES_DIR / p.stem).is_dir())


def planned(area: str, name: str) -> dict[Path, str]:
    """The new files and their text; UsageError (nothing written) for bad input."""
    known = areas()
    if area not in known:
        raise UsageError(f"new: unknown area {area[:40]!r} (known: {', '.join(known)})")
    if not NAME.fullmatch(name):
        raise UsageError(f"new: {name[:40]!r} is not a behaviour name: 3 to 63 of a-z, 0-9 and _, "
                         "starting with a letter (e.g. tcp_close_linger_zero)")
    existing = catalog_mod.load().behaviours.get(name)
    if existing is not None:
        raise UsageError(f"new: behaviour {name} exists already (catalog/behaviours/{existing.area}.toml)")
    files = {REPO / "probes" / f"{name}.cpp": PROBE.format(name=name),
             SUITES_DIR / area / f"test_{name}.py": SUITE.format(name=name, area=area)}
    for path in files:
        if path.exists():
            raise UsageError(f"new: {path.relative_to(REPO)} exists already")
    return files


def new(area: str, name: str) -> list[Path]:
    """Writes the behaviour's probe, catalog table and suite file, and the docs; returns what it wrote."""
    files = planned(area, name)
    catalog_path = CATALOG_DIR / "behaviours" / f"{area}.toml"
    catalog_before = catalog_path.read_text()
    docs_before = docs.PATH.read_text() if docs.PATH.exists() else None
    written: list[Path] = []
    try:
        for path, text in files.items():
            with open(path, "x") as f:   # never over a file that appeared since the check
                written.append(path)
                f.write(text)
        _replace(catalog_path, catalog_before.rstrip("\n") + "\n" + CATALOG_TABLE.format(name=name, area=area))
        _replace(docs.PATH, docs.render(catalog_mod.load()))
    except BaseException as e:
        for path in written:
            path.unlink(missing_ok=True)
        _replace(catalog_path, catalog_before)
        if docs_before is not None:
            _replace(docs.PATH, docs_before)
        if isinstance(e, (OSError, SockspecError)):
            raise SockspecError(f"new: nothing written: {e}") from None
        raise
    return [*files, catalog_path, docs.PATH]


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_new(args) -> int:
    name = args.name
    for path in new(args.area, name):
        print(f"wrote {path.relative_to(REPO)}")
    print(f"next: write the scenario in probes/{name}.cpp, the facts in [{name}] of "
          f"catalog/behaviours/{args.area}.toml, the checks in suites/{args.area}/test_{name}.py; "
          f"see it with scripts/sockspec probe {name}")
    return 0
