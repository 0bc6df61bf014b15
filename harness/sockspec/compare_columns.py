"""A results directory as one column of the report: its tests by id, its
environment, the files its results name (opened through untrusted.py), and
the ladder of a test's first probe run drawn from those files."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from . import flow, svg, timeline, untrusted
from . import results as results_mod
from .errors import PcapError, UsageError


def stack_label(env: dict[str, Any]) -> str:
    """"host 6.18.44", "qemu 6.1.0-57-cloud-amd64", "gvisor 20240729": gVisor
    says 4.4.0 whatever its release, so its runsc version names it."""
    if env.get("target") == "gvisor" and env.get("runsc_version"):
        return f"gvisor {env['runsc_version']}"
    return f"{env['target']} {env['kernel_release']}"


@dataclasses.dataclass
class Column:
    label: str
    directory: Path
    data: dict[str, Any]
    tests: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.tests = {t["id"]: t for t in self.data["tests"]}

    @property
    def env(self) -> dict[str, Any]:
        return self.data["environment"]

    def file(self, name: str) -> bytes:
        """A file the results name (events, pcap), read from inside the results
        directory: the one place the report opens one (untrusted.py)."""
        return untrusted.read_inside(self.directory, name)


def load_columns(dirs: list[Path]) -> list[Column]:
    if not dirs:
        raise UsageError("compare needs at least one results directory")
    columns, seen = [], {}
    for d in dirs:
        data = results_mod.load(Path(d))
        directory = Path(d) if Path(d).is_dir() else Path(d).parent
        env = data["environment"]
        label = stack_label(env)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label += f" ({seen[label]})"
        columns.append(Column(label, directory, data))
    return columns


def ladder(column: Column, test: dict[str, Any]) -> dict[str, Any]:
    """The ladder (SVG and text) of the test's first run, with notes on what could not be read."""
    run = (test.get("runs") or [{}])[0]
    notes: list[str] = []
    events: list[dict] = []
    if run.get("events"):
        try:
            events = untrusted.load_json_lines(column.file(run["events"]), run["events"])
        except FileNotFoundError:
            notes.append("events unreadable: no such file")
    else:
        notes.append("no events recorded")
    packets: list = []
    if run.get("pcap"):
        try:
            packets = flow.parse_pcap(column.file(run["pcap"]), run["pcap"])
        except FileNotFoundError:
            notes.append("capture unreadable: no such file")
        except PcapError as e:
            notes.append(f"capture unreadable: {str(e).splitlines()[0]}")
    else:
        notes.append(f"no capture: {run.get('wire_unavailable') or 'none taken'}")
    servers = []
    server = test["observations"].get("server_addr")
    if isinstance(server, str):
        try:
            servers.append(flow.Endpoint.parse(server))
        except (ValueError, IndexError):
            pass
    try:
        entries = timeline.build(events, packets, servers)
    except Exception as e:  # a capture the timeline cannot place must not cost the whole report
        entries, notes = [], notes + [f"no ladder: {e}"]
    title = f"{test['id']} on {column.label}"
    return {"column": column.label, "test": test["id"], "outcome": test["outcome"], "notes": notes,
            "svg": svg.render(entries, title, "; ".join(notes)),
            "text": timeline.render_ladder(entries)}
