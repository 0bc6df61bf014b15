"""The driver's modules have one job each and their imports run one way.

Every module of harness/sockspec/ belongs to one layer below, and imports only
from its own layer or the layers under it: a decoder never imports a runner, a
check never imports a target, nothing below the CLI imports the CLI. No module
imports another's private name (`_x`), and no Python file of harness/ is
longer than MAX_LINES. A new module is given its layer here, on purpose.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sockspec"
MAX_LINES = 350

LAYERS = [
    # what everything may use: errors, the repository's paths, process and value helpers
    ("foundation", {"__init__", "errors", "paths", "processes", "markdown", "observed", "marker"}),
    # readers and models of what the project writes and reads: no process is started
    ("readers", {"catalog", "catalog_cpp", "sysctl", "faults", "untrusted", "probe_output", "pcap", "flow",
                 "expect", "environment", "debian_archive", "results", "timeline", "svg"}),
    # what runs things on this host: namespaces, the capture, results directories
    ("runners", {"netns", "capture", "outdir"}),
    # where a probe runs
    ("targets", {"targets", "targets.base", "targets.guest_agent", "targets.host", "targets.qemu",
                 "targets.qemu_guest", "targets.qemu_kernel", "targets.qemu_kvm", "targets.gvisor",
                 "targets.gvisor_sandbox"}),
    # judging and reporting: wire checks, claim verdicts, the comparison, the docs
    ("judges", {
        "checks",
        "checks.socket_options",
        "checks.tcp_active_open",
        "checks.tcp_data",
        "checks.tcp_lifetime",
        "checks.tcp_options",
        "checks.tcp_recovery",
        "checks.tcp_unexpected",
        "checks.udp",
        "checks.unix",
        "compare",
        "compare_columns",
        "compare_render",
        "compare_since",
        "compare_values",
        "docs",
        "report",
    }),
    # the pytest side: the Run API, results collection, the plugin
    ("plugin", {"run_api", "results_collection", "schedule", "pytest_plugin"}),
    # commands a person runs
    ("cli", {"command_line", "probe_ladder", "scaffold", "run_targets", "cli", "flips", "bench", "bench_build", "bench_compare"}),
]
LAYER_OF = {module: i for i, (_, modules) in enumerate(LAYERS) for module in modules}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(importer: str, level: int, target: str | None) -> str | None:
    """The sockspec module a `from ... import` names, relative to `importer`; None outside sockspec."""
    if level == 0:
        if not target or not (target == "sockspec" or target.startswith("sockspec.")):
            return None
        return target.removeprefix("sockspec").lstrip(".") or "__init__"
    package = importer.split(".")
    if not MODULES[importer].name == "__init__.py":
        package = package[:-1]
    package = package[:len(package) - (level - 1)] if level > 1 else package
    name = ".".join([*package, *([target] if target else [])])
    return name or "__init__"


def parsed(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text())


def imports(name: str, tree: ast.Module):
    """(imported module, imported name or None, line) of every import of a sockspec module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = resolve(name, node.level, node.module)
            if base is None:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}" if base != "__init__" else alias.name
                if sub in MODULES:
                    yield sub, None, node.lineno        # `from . import flow`: the module itself
                else:
                    yield base, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                base = resolve(name, 0, alias.name)
                if base is not None:
                    yield base, None, node.lineno


def module_aliases(name: str, tree: ast.Module) -> dict[str, str]:
    """Local names bound to sockspec modules (`from . import flow as f`: f -> flow)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = resolve(name, node.level, node.module)
            for alias in node.names if base is not None else []:
                sub = f"{base}.{alias.name}" if base != "__init__" else alias.name
                if sub in MODULES:
                    out[alias.asname or alias.name] = sub
    return out


def upward_imports(name: str, tree: ast.Module) -> list[str]:
    return [f"line {line}: {target} ({LAYERS[layer(target)][0]})"
            for target, _, line in imports(name, tree) if layer(target) > layer(name)]


def private_uses(name: str, tree: ast.Module) -> list[str]:
    found = [f"line {line}: from {target} import {what}"
             for target, what, line in imports(name, tree) if what and is_private(what) and target != name]
    aliases = module_aliases(name, tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and is_private(node.attr)):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def is_private(attribute: str) -> bool:
    return attribute.startswith("_") and not attribute.startswith("__")


def layer(module: str) -> int:
    while module not in LAYER_OF and "." in module:
        module = module.rsplit(".", 1)[0]
    return LAYER_OF[module]


def test_every_module_has_a_layer():
    missing = sorted(set(MODULES) - set(LAYER_OF))
    assert not missing, f"give these modules a layer in LAYERS: {missing}"
    gone = sorted(set(LAYER_OF) - set(MODULES))
    assert not gone, f"LAYERS names modules that do not exist: {gone}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_down_the_layers(name):
    upward = upward_imports(name, parsed(name))
    assert not upward, f"{name} ({LAYERS[layer(name)][0]}) imports from a layer above it: {upward}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_uses_another_modules_private_names(name):
    found = private_uses(name, parsed(name))
    assert not found, f"{name} uses private names of other modules: {found}"


@pytest.mark.parametrize("path", sorted(PACKAGE.parent.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_python_module_is_longer_than_the_limit(path):
    """Every Python file of harness/: the driver, the guest builder, the tests."""
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines (at most {MAX_LINES}): give a part of it its own job"


def test_the_rules_catch_what_they_forbid():
    """A decoder reaching up to the runner and into another module's privates is caught."""
    tree = ast.parse("from .capture import MARKER\nfrom . import pcap\nfrom .pcap import _MAGICS\n"
                     "import sockspec.cli\nx = pcap._MAGICS\n")
    assert upward_imports("flow", tree) == ["line 1: capture (runners)", "line 4: cli (cli)"]
    assert private_uses("flow", tree) == ["line 3: from pcap import _MAGICS", "line 5: pcap._MAGICS"]
    tree = ast.parse("from ..flow import Segment\nfrom .. import errors\n")
    assert upward_imports("checks.udp", tree) == [] and private_uses("checks.udp", tree) == []
