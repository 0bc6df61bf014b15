"""A generated corpus of bad input to every option of scripts/sockspec, and of
hostile results directories: each case is one line on stderr, exit status 2,
and nothing written or changed (files, the host's sysctls and nftables
ruleset, namespaces).

The CLI runs in this process (cli.main) so the corpus stays fast; a few cases
go through scripts/sockspec itself. Building and running the suite are
replaced by a failure: a case that got past validation says so.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest

from sockspec import cli, netns
from sockspec.paths import REPO, build_dir, probe_path
from test_compare import make_results

SOCKSPEC = str(REPO / "scripts" / "sockspec")
# The host's values of every key the corpus names, read before and after each case.
HOST_SYSCTLS = ("net/core/somaxconn", "net/ipv4/tcp_syncookies", "net/ipv4/tcp_abort_on_overflow",
                "kernel/printk_ratelimit_burst", "net/ipv4/ip_local_port_range")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="probe cases make a namespace (root)")
needs_probe = pytest.mark.skipif(not probe_path("tcp_handshake").exists(), reason="tcp_handshake is not built")


@dataclasses.dataclass(frozen=True)
class At:
    """An argument naming one of the places made for each case, plus a suffix."""
    place: str
    suffix: str = ""

    def __str__(self) -> str:
        return f"<{self.place}>{self.suffix}"


def bad_numbers(low: int, high: int) -> list[str]:
    """Out of range, wrapping, not finite, not whole, not numbers."""
    return [str(low - 1), str(high + 1), str(2**32 + low), str(-2**63), "nan", "inf", "-inf", "1.5", "1e3",
            "0x10", "", "abc", "1\n2"]


HOSTILE_TEXT = ["", " ", "\n", "a;b", "$(id)", "../../etc/passwd", "x" * 5000, "ü"]

NUMBER_OPTIONS = [(["run"], "--jobs", 1, cli.MAX_JOBS, []), (["run"], "--repeat", 1, 1000, []),
                  (["test"], "--jobs", 1, cli.MAX_JOBS, []), (["probe"], "--drop-count", 0, 65535, ["tcp_handshake"])]

BAD_SYSCTLS = [At("victim", "=pwned"), "kernel.printk_ratelimit_burst=11", "net.core.somaxconn", "=1", "net..x=1",
               "net/core/somaxconn=1", "net.core.somaxconn=1\n2", "net.core.somaxconn=", "net.core.somaxconn=\x07",
               "net.core.somaxconn=" + "9" * 300, "../../etc/x=1", "net.core.somaxconn.=1"]
# These pass the key and value grammar; the namespace (or its kernel) refuses them.
REFUSED_IN_NAMESPACE = ["net.core.somaxconn=abc", "net.ipv4=1", "net.ipv4.nonexistent=1", "net.core.somaxconn=-5",
                        "net.core.somaxconn=99999999999999999999"]

BAD_DROPS = ["", " ", "tcp flags == ack; flush ruleset", "tcp flags == ack\nflush ruleset", 'include "/etc/passwd"',
             "flush ruleset", "table inet x", "tcp flags == ack } }", "tcp dport { 1, { 2 } }", "tcp sport 1 accept",
             "meta mark set 1", "tcp flags == ack counter", "tcp dport $x", "tcp dport @s", 'oifname "lo"',
             "tcp " * 100, "tcp flags == bogus", "{", "tcp dport ,"]

BAD_PROBE_FLAGS = [["--timeout-s", v] for v in ("nan", "inf", "-inf", "-1", "0", "1e9", "abc", "")] + [
    ["--family", "inet7"], ["--bogus-flag"]]


def corpus() -> list:
    cases = []
    for command, option, low, high, tail in NUMBER_OPTIONS:
        cases += [pytest.param([*command, option, v, *tail], id=f"{command[0]} {option} {v!r}")
                  for v in bad_numbers(low, high)]
    cases += [pytest.param(["run", "--target", v], id=f"run --target {v[:20]!r}")
              for v in ["", ",", "host,host", "evil", "HOST", "host;id", "qemu\nhost"]]
    cases += [pytest.param(["run", "-k", v], id=f"run -k {v!r}") for v in ["a and (", "(", "not", "a b", "a or", ")"]]
    cases += [pytest.param(["run", "--kernel", v], id=f"run --kernel {v!r}")
              for v in ["/nonexistent/bzImage", "/tmp", "/dev/zero", At("fifo"), ""]]
    cases += [pytest.param(["run", "--out", v], id=f"run --out {v!r}")
              for v in [At("file"), ".", "/", str(REPO), At("foreign"), At("fake_results"), At("results_and_foreign"),
                        "/dev/null", At("link_to_foreign"), At("file", "/sub"), At("pcaps_with_link")]]
    cases += [pytest.param(["run", "--target", "host,qemu", "--out", At("empty")], id="run --out with two targets")]
    cases += [pytest.param(["probe", v], id=f"probe name {v[:20]!r}") for v in HOSTILE_TEXT + ["tcp_handshake;id"]]
    cases += [pytest.param(["probe", "--sysctl", v, "tcp_handshake"], id=f"probe --sysctl {str(v)[:30]!r}")
              for v in BAD_SYSCTLS]
    cases += [pytest.param(["probe", "--sysctl", v, "tcp_handshake"], id=f"probe --sysctl {v[:30]!r}",
                           marks=[needs_root, needs_probe]) for v in REFUSED_IN_NAMESPACE]
    cases += [pytest.param(["probe", "--drop", v, "tcp_handshake"], id=f"probe --drop {v[:30]!r}") for v in BAD_DROPS]
    cases += [pytest.param(["probe", "--drop", "tcp dport 99999", "tcp_handshake"], id="probe --drop nft refuses",
                           marks=[needs_root, needs_probe])]
    cases += [pytest.param(["probe", "--out", v, "tcp_handshake"], id=f"probe --out {v!r}")
              for v in [At("file"), "/dev/null", At("file", "/sub")]]
    cases += [pytest.param(["probe", "tcp_handshake", *flags], id=f"probe tcp_handshake {' '.join(flags)!r}",
                           marks=[needs_root, needs_probe]) for flags in BAD_PROBE_FLAGS]
    report = At("out", "/r.html")
    cases += [pytest.param(["compare", At("good"), "-o", v], id=f"compare -o {str(v)!r}")
              for v in [At("empty"), At("file"), At("out", "/r.txt"), At("md_is_dir"), At("file", "/r.html")]]
    cases += [pytest.param(["compare", v, "-o", report], id=f"compare {str(v)!r}")
              for v in ["/nonexistent", At("file"), At("empty"), At("fifo"), "/dev/zero"]]
    cases += [pytest.param(["compare", At("good"), At(h), "-o", report], id=f"compare hostile {h}")
              for h in HOSTILE_DIRECTORIES]
    cases += [pytest.param(argv, id=f"unknown {argv}") for argv in (["nonsense"], ["run", "--nonsense"], [])]
    return cases


def _set_run(field, value):
    def mutate(directory: Path):
        data = json.loads((directory / "results.json").read_text())
        data["tests"][0]["runs"][0][field] = value
        (directory / "results.json").write_text(json.dumps(data))
    return mutate


def _replace(name, make):
    def mutate(directory: Path):
        path = directory / name
        path.unlink()
        make(path)
    return mutate


def _sparse(size):
    def make(path: Path):
        with open(path, "wb") as f:
            f.truncate(size)
    return make


def _nested(depth):
    def make(path: Path):
        path.write_text('{"schema_version": 2, "environment": ' + "[" * depth + "]" * depth + "}")
    return make


HOSTILE_DIRECTORIES = {
    "pcap ../ escape": _set_run("pcap", "../../../../../../etc/passwd"),
    "pcap absolute": _set_run("pcap", "/etc/passwd"),
    "events ../ escape": _set_run("events", "pcaps/../../../../../../etc/passwd"),
    "events absolute": _set_run("events", "/etc/passwd"),
    "events an int": _set_run("events", 5),
    "pcap a list": _set_run("pcap", ["a"]),
    "pcap symlink out": _replace("pcaps/handshake_inet.pcap", lambda p: p.symlink_to("/etc/passwd")),
    "events symlink out": _replace("pcaps/handshake_inet.events.jsonl", lambda p: p.symlink_to("/etc/passwd")),
    "pcap /dev/zero symlink": _replace("pcaps/handshake_inet.pcap", lambda p: p.symlink_to("/dev/zero")),
    "pcap FIFO": _replace("pcaps/handshake_inet.pcap", os.mkfifo),
    "events FIFO": _replace("pcaps/handshake_inet.events.jsonl", os.mkfifo),
    "pcap huge": _replace("pcaps/handshake_inet.pcap", _sparse(65 << 20)),
    "events nested deep": _replace("pcaps/handshake_inet.events.jsonl", lambda p: p.write_text("[" * 100000 + "\n")),
    "results.json symlink out": _replace("results.json", lambda p: p.symlink_to("/etc/passwd")),
    "results.json FIFO": _replace("results.json", os.mkfifo),
    "results.json /dev/zero": _replace("results.json", lambda p: p.symlink_to("/dev/zero")),
    "results.json huge": _replace("results.json", _sparse(300 << 20)),
    "results.json nested 100000": _replace("results.json", _nested(100000)),
    "results.json nested 100": _replace("results.json", _nested(100)),
    "results.json not UTF-8": _replace("results.json", lambda p: p.write_bytes(b'{"a": "\xff"}')),
    "results.json NaN": _replace("results.json", lambda p: p.write_text('{"schema_version": NaN}')),
    "pcaps a symlink out": lambda d: (os.rename(d / "pcaps", d / "moved"), (d / "pcaps").symlink_to(d / "moved")),
}


def tree(root: Path) -> dict[str, tuple]:
    """Every path below root: a file's type, size and modification time, a symlink's target, a
    directory's mode (its times change when a file is made and removed again, which leaves nothing)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            if p.is_symlink():
                out[str(p)] = (os.readlink(p),)
            else:
                out[str(p)] = (st.st_mode,) if p.is_dir() else (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def host_state() -> dict:
    sysctls = {k: Path("/proc/sys", k).read_text() for k in HOST_SYSCTLS if Path("/proc/sys", k).exists()}
    ruleset = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout
    return {"sysctls": sysctls, "nft": ruleset, "results": tree(REPO / "results"),
            "namespaces": [n for n in netns.list_ours() if netns.owner_pid(n) == os.getpid()]}


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, Path]:
    """The paths the corpus's At() arguments name, made once: each case checks that it changed none."""
    tmp_path = tmp_path_factory.mktemp("places")
    (tmp_path / "file").write_text("a user's file\n")
    (tmp_path / "victim").write_text("original\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "empty").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "captures").mkdir()
    (tmp_path / "md_is_dir.md").mkdir()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me\n")
    (tmp_path / "link_to_foreign").symlink_to(foreign)
    fake = tmp_path / "fake_results"
    fake.mkdir()
    (fake / "results.json").write_text('["not a sockspec results file"]')
    good = make_results(tmp_path / "good", "host", "6.18", 1, "pass")
    mixed = make_results(tmp_path / "results_and_foreign", "host", "6.18", 1, "pass")
    (mixed / "notes.txt").write_text("mine\n")
    linked = make_results(tmp_path / "pcaps_with_link", "host", "6.18", 1, "pass")
    (linked / "pcaps" / "x.pcap").symlink_to("/etc/passwd")
    names = {"root": tmp_path, "captures": tmp_path / "captures", "file": tmp_path / "file", "victim": tmp_path / "victim", "fifo": tmp_path / "fifo",
             "empty": tmp_path / "empty", "out": tmp_path / "out", "md_is_dir": tmp_path / "md_is_dir.html",
             "foreign": foreign, "link_to_foreign": tmp_path / "link_to_foreign", "fake_results": fake,
             "good": good, "results_and_foreign": mixed, "pcaps_with_link": linked}
    for i, (name, mutate) in enumerate(HOSTILE_DIRECTORIES.items()):
        names[name] = make_results(tmp_path / f"hostile-{i}", "host", "6.18", 1, "pass")
        mutate(names[name])
    return names


def resolve(argv: list, places: dict[str, Path]) -> list[str]:
    """argv with the places filled in; a probe without --out captures below the places (checked), not
    into the build directory that parallel workers share."""
    if argv[:1] == ["probe"] and "--out" not in argv:
        argv = ["probe", "--out", At("captures"), *argv[1:]]
    return [f"{places[a.place]}{a.suffix}" if isinstance(a, At) else a for a in argv]


@pytest.fixture
def no_suite(monkeypatch):
    """Building everything and running pytest mean a case got past validation."""
    def build(target=None):
        if target is None:
            raise AssertionError("bad input got past validation: the suite would be built and run")
        return build_dir()

    def pytest_run(args):
        raise AssertionError(f"bad input got past validation: pytest {args}")

    monkeypatch.setattr(cli, "build", build)
    monkeypatch.setattr(cli, "_pytest", pytest_run)
    monkeypatch.chdir(REPO)


@pytest.mark.parametrize("argv", corpus())
def test_bad_input_is_one_line_exit_2_and_changes_nothing(argv, places, no_suite, capsys):
    argv = resolve(argv, places)
    before_host, before_files = host_state(), tree(places["root"])
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2, f"exit {code}; stderr: {err!r}"
    assert err.endswith("\n") and err.count("\n") == 1 and err.strip(), f"one line on stderr, not {err!r}"
    assert out == ""
    assert "root:" not in err and "keep me" not in err, "no byte of a file outside is shown"
    assert tree(places["root"]) == before_files, "no file written, changed or removed"
    assert host_state() == before_host, "the host's sysctls, ruleset, namespaces and results are as they were"


@pytest.mark.parametrize("argv", [
    ["probe", "--sysctl", At("victim", "=pwned"), "tcp_handshake"],
    ["probe", "--drop", "tcp flags == ack\nflush ruleset", "tcp_handshake"],
    ["run", "--out", At("foreign")],
    ["compare", At("good"), At("pcap symlink out"), "-o", At("out", "/r.html")],
], ids=["sysctl path", "drop newline", "run --out foreign", "compare symlink out"])
def test_bad_input_through_scripts_sockspec(argv, places):
    argv = resolve(argv, places)
    before_host, before_files = host_state(), tree(places["root"])
    proc = subprocess.run([SOCKSPEC, *argv], capture_output=True, text=True, cwd=places["root"])
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stdout == "", proc.stderr
    assert tree(places["root"]) == before_files and host_state() == before_host
