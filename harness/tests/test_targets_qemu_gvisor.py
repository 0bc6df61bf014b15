"""The qemu and gVisor targets, end to end.

Each target runs a self-test probe (harness/guest/selftest_probe.c, compiled
here) and, when the build has it, the real tcp_handshake probe, with capture.
The qemu tests share one guest (one boot for the module).  Tests skip with the
reason when qemu-system-x86_64 or runsc is not installed, or when not root.

Unit tests of the agent wire format need neither (the initramfs: test_guest_build.py).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sockspec import flow
from sockspec.paths import REPO, build_dir
from sockspec.targets.base import Fault, Invocation, TargetError
from sockspec.targets.guest_agent import SysctlError, decode_reply_payload, encode_request, split_reply

GUEST = REPO / "harness" / "guest"
IS_ROOT = os.geteuid() == 0
HAVE_QEMU = shutil.which("qemu-system-x86_64") is not None
HAVE_RUNSC = shutil.which("runsc") is not None
HAVE_CC = shutil.which("cc") is not None or shutil.which("gcc") is not None

needs_qemu = pytest.mark.skipif(
    not (HAVE_QEMU and IS_ROOT and HAVE_CC),
    reason="qemu target needs qemu-system-x86_64 (apt-get install qemu-system-x86 busybox-static), "
           "a C compiler, and root")
needs_runsc = pytest.mark.skipif(
    not (HAVE_RUNSC and IS_ROOT and HAVE_CC),
    reason="gvisor target needs runsc (apt-get install runsc), a C compiler, and root")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def probe_build(tmp_path_factory) -> Path:
    """A build dir whose probes/ has the self-test probe and, when built, the real probes."""
    root = tmp_path_factory.mktemp("build")
    probes = root / "probes"
    probes.mkdir()
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler for the self-test probe")
    subprocess.run([cc, "-O2", "-static", "-o", str(probes / "sockspec_selftest"),
                    str(GUEST / "selftest_probe.c")], check=True)
    real = build_dir() / "probes"
    if real.is_dir():
        for p in real.iterdir():
            if p.is_file() and os.access(p, os.X_OK):
                shutil.copy2(p, probes / p.name)
    cache = build_dir() / "CMakeCache.txt"
    if cache.is_file():
        shutil.copy2(cache, root / "CMakeCache.txt")
    return root


@pytest.fixture(scope="module")
def cache_dir() -> Path:
    """Shared with the real runs, so the kernel is downloaded once."""
    return Path(os.environ.get("SOCKSPEC_CACHE") or build_dir() / "cache")


def has_real(build: Path, name: str) -> bool:
    return (build / "probes" / name).is_file()


def handshake_segments(pcap: Path, server_port: int | None = None) -> list[flow.Segment]:
    segs = [p for p in flow.read_pcap(pcap) if isinstance(p, flow.Segment)]
    if server_port is not None:
        segs = [s for s in segs if server_port in (s.src.port, s.dst.port)]
    return segs


def assert_three_way_handshake(segs: list[flow.Segment]) -> None:
    labels = [s.label for s in segs[:3]]
    assert labels == ["SYN", "SYN+ACK", "ACK"], labels


# ---------------------------------------------------------------- no VM needed

def test_request_and_reply_round_trip():
    req = encode_request("run", id=7, arg=["/probes/x", "--json", "a b", ""])
    head, payload = req.split(b"\n", 1)
    assert head == b"SOCKSPEC-REQ %d" % len(payload)
    assert payload.split(b"\0")[:-1] == [b"run", b"id=7", b"arg=/probes/x", b"arg=--json",
                                         b"arg=a b", b"arg="]
    body = b"status\x002\x00okpcap\x005\x00\x00\nSO\xff"
    stream = b"noise\nSOCKSPEC-REPLY %d\n" % len(body) + body + b"\nSOCKSPEC-REPLY"
    reply, rest = split_reply(stream)
    assert reply == {"status": b"ok", "pcap": b"\x00\nSO\xff"}
    assert rest == b"\nSOCKSPEC-REPLY"
    assert split_reply(stream[:-30]) == (None, stream[stream.index(b"\nSOCKSPEC-REPLY"):-30])
    with pytest.raises(TargetError):
        decode_reply_payload(b"x\x009\x00short")


def test_nul_in_a_request_field_is_refused():
    with pytest.raises(TargetError):
        encode_request("run", arg=["a\0b"])


# ---------------------------------------------------------------- qemu

def run_selftest(target, pcap: Path):
    """The self-test probe's run on the target, with what every target must report of it."""
    r = target.run(Invocation("sockspec_selftest", [], pcap_path=pcap))
    assert r.exit_code == 0, r.stderr
    assert r.target == target.name
    assert r.observations["connected"] is True and r.observations["read"] == 2
    return r


@pytest.fixture(scope="module")
def qemu(probe_build, cache_dir):
    from sockspec.targets.qemu import QemuTarget
    with QemuTarget(probe_build, cache_dir) as target:
        yield target
    assert target._guest is None


@needs_qemu
def test_qemu_selftest_runs_in_a_fresh_namespace_with_capture(qemu, tmp_path):
    pcap = tmp_path / "selftest.pcap"
    r = run_selftest(qemu, pcap)
    assert r.observations["interfaces"] == 1, "a fresh namespace has only lo"
    assert [e["call"] for e in r.events] == ["connect", "accept"]
    assert r.stderr == "selftest done\n"
    assert r.pcap == pcap and pcap.is_file()
    assert_three_way_handshake(handshake_segments(pcap, r.observations["server_port"]))
    # the connect() event lies around the handshake on the guest's clock
    segs = handshake_segments(pcap, r.observations["server_port"])
    connect = r.events[0]
    assert connect["t_real_ns"] <= segs[0].t_ns <= connect["end_real_ns"]


@needs_qemu
def test_qemu_runs_never_share_a_namespace(qemu):
    for _ in range(2):
        r = qemu.run(Invocation("sockspec_selftest", []))
        assert r.observations["lo_packets_at_start"] == 0, "an earlier run's packets are in this namespace"


@needs_qemu
def test_qemu_runs_the_handshake_probe(qemu, probe_build):
    if not has_real(probe_build, "tcp_handshake"):
        pytest.skip("build/probes/tcp_handshake not built (cmake --build build)")
    r = qemu.run(Invocation("tcp_handshake", ["--family", "inet"]))
    assert r.exit_code == 0, r.stderr
    conn = flow.connection_between(flow.read_pcap(r.pcap), r.observations["client_addr"],
                                   r.observations["server_addr"])
    assert_three_way_handshake(conn.segments)


@needs_qemu
def test_qemu_sysctls_apply_to_that_run_only(qemu):
    r = qemu.run(Invocation("sockspec_selftest", [], sysctls={"net.core.somaxconn": "7"}, capture=False))
    assert r.observations["somaxconn"] == 7
    assert r.pcap is None and r.wire_unavailable is None
    r = qemu.run(Invocation("sockspec_selftest", [], capture=False))
    assert r.observations["somaxconn"] == 4096, "the next run's namespace starts from the defaults"


@needs_qemu
def test_qemu_unknown_sysctl_is_a_target_error(qemu):
    with pytest.raises(SysctlError, match="net.ipv4.no_such_thing"):
        qemu.run(Invocation("sockspec_selftest", [], sysctls={"net.ipv4.no_such_thing": "1"}))


@needs_qemu
def test_qemu_exit_code_ipv6_and_timeout(qemu):
    r = qemu.run(Invocation("sockspec_selftest", ["--family", "inet6", "--exit", "3"]))
    assert r.exit_code == 3 and r.observations["family"] == "inet6"
    segs = handshake_segments(r.pcap, r.observations["server_port"])
    assert_three_way_handshake(segs)
    with pytest.raises(TargetError, match="timed out"):
        qemu.run(Invocation("sockspec_selftest", ["--hang"], timeout_s=1.0, capture=False))
    r = qemu.run(Invocation("sockspec_selftest", [], capture=False))
    assert r.exit_code == 0, "the guest serves the next run after a timeout"


@needs_qemu
def test_qemu_fault_drops_the_first_syn(qemu):
    r = qemu.run(Invocation("sockspec_selftest", [],
                            faults=[Fault("tcp flags & (syn|ack) == syn", 1)]))
    assert r.exit_code == 0 and r.observations["connected"] is True
    segs = handshake_segments(r.pcap, r.observations["server_port"])
    syns = [s for s in segs if s.flags_exactly("SYN")]
    assert len(syns) == 1, "the first SYN was dropped before the capture saw it; the retransmission passed"
    connect = r.events[0]
    assert connect["end_mono_ns"] - connect["t_mono_ns"] >= 900_000_000, "connect() waited for the 1 s RTO"


@needs_qemu
def test_qemu_environment(qemu, cache_dir):
    env = qemu.environment()
    assert env["target"] == "qemu"
    assert env["accel"] in ("tcg", "kvm")
    assert env["kernel_release"] and env["kernel_version"] and env["machine"] == "x86_64"
    assert 0 < env["boot_s"] < 60
    assert env["boots"][0]["channel"] == "virtio"   # Debian's cloud kernels have virtio_console
    assert "QEMU emulator version" in env["qemu_version"]
    assert env["sysctls"]["net.core.somaxconn"] == "4096"
    if env["kernel_package"]:
        assert env["kernel_release"].startswith("6.1.0-")
        assert env["kernel_package"] == f"linux-image-{env['kernel_release']}"
        assert Path(env["kernel_image"]).is_relative_to(cache_dir)


@needs_qemu
def test_qemu_agent_falls_back_to_the_serial_port_without_a_virtio_console(probe_build, cache_dir, tmp_path,
                                                                            monkeypatch):
    from sockspec.targets import qemu as qemu_module
    from sockspec.targets.qemu import QemuTarget

    monkeypatch.setattr(qemu_module, "BOOT_MODULES",
                        tuple(m for m in qemu_module.BOOT_MODULES if not m.startswith("virtio")))
    with QemuTarget(probe_build, cache_dir) as target:
        run_selftest(target, tmp_path / "selftest.pcap")
        assert target.environment()["boots"][0]["channel"] == "serial"


@needs_qemu
def test_qemu_reboots_when_probes_change(qemu, probe_build, cache_dir, tmp_path):
    """A rebuilt probe is not run stale: the target boots a guest that has it.
    Also boots an explicit kernel= image (the default one, given by path)."""
    from sockspec.targets.qemu import QemuTarget
    image = Path(qemu.environment()["kernel_image"])
    build = tmp_path / "build"
    (build / "probes").mkdir(parents=True)
    shutil.copy2(probe_build / "probes" / "sockspec_selftest", build / "probes" / "sockspec_selftest")
    with QemuTarget(build, cache_dir, kernel=image) as t:
        assert t.environment()["kernel_image"] == str(image.resolve())
        assert t.environment()["kernel_package"] is None
        assert t.run(Invocation("sockspec_selftest", [], capture=False)).exit_code == 0
        first = t._guest.proc
        shutil.copy2(probe_build / "probes" / "sockspec_selftest", build / "probes" / "again")
        assert t.run(Invocation("again", [], capture=False)).exit_code == 0
        assert first.poll() is not None, "the old guest was shut down"
        assert len(t.environment()["boots"]) == 2
    assert t._guest is None


# ---------------------------------------------------------------- gVisor

@pytest.fixture(scope="module")
def gvisor(probe_build, cache_dir):
    from sockspec.targets.gvisor import GvisorTarget
    with GvisorTarget(probe_build, cache_dir) as target:
        yield target


@needs_runsc
def test_gvisor_selftest_with_capture(gvisor, tmp_path):
    pcap = tmp_path / "g.pcap"
    r = run_selftest(gvisor, pcap)
    if r.pcap is None:
        assert r.wire_unavailable, "no capture must say why"
        pytest.skip(f"wire checks skipped: {r.wire_unavailable}")
    assert r.pcap == pcap and r.wire_unavailable is None
    segs = handshake_segments(pcap, r.observations["server_port"])
    assert_three_way_handshake(segs)
    assert len([s for s in segs if s.flags_exactly("SYN")]) == 1, "each loopback packet is kept once"


@needs_runsc
def test_gvisor_runs_the_handshake_probe(gvisor, probe_build):
    if not has_real(probe_build, "tcp_handshake"):
        pytest.skip("build/probes/tcp_handshake not built (cmake --build build)")
    for family in ("inet", "inet6"):
        r = gvisor.run(Invocation("tcp_handshake", ["--family", family]))
        assert r.exit_code == 0, r.stderr
        if r.pcap is not None:
            conn = flow.connection_between(flow.read_pcap(r.pcap), r.observations["client_addr"],
                                           r.observations["server_addr"])
            assert_three_way_handshake(conn.segments)


@needs_runsc
def test_gvisor_exit_code_and_unsupported_things(gvisor):
    from sockspec.targets.gvisor import FaultsUnsupported
    r = gvisor.run(Invocation("sockspec_selftest", ["--exit", "1"], capture=False))
    assert r.exit_code == 1 and r.pcap is None and r.wire_unavailable is None
    with pytest.raises(SysctlError, match="tcp_syncookies"):
        gvisor.run(Invocation("sockspec_selftest", [], sysctls={"net.ipv4.tcp_syncookies": "0"}))
    with pytest.raises(FaultsUnsupported):
        gvisor.run(Invocation("sockspec_selftest", [], faults=[Fault("tcp flags syn", 1)]))
    # gVisor 20221219 lists net.core.somaxconn but refuses writes (EIO): whichever
    # it does, the run either has the value or raises SysctlError, never ignores it.
    try:
        r = gvisor.run(Invocation("sockspec_selftest", [], sysctls={"net.core.somaxconn": "7"}, capture=False))
    except SysctlError as e:
        assert "somaxconn" in str(e)
    else:
        assert r.observations["somaxconn"] == 7


@needs_runsc
@pytest.mark.parametrize("release", ["2022", "2024"])
def test_gvisor_runs_never_share_a_namespace(release, probe_build, cache_dir):
    """Each run starts on a loopback nothing has used: in a namespace of its
    own in the worker's sandbox (runsc 2024), or in a sandbox of its own where
    a namespace cannot get the first one's loopback routes (runsc 2022)."""
    from sockspec.targets.gvisor import GvisorTarget
    with GvisorTarget(probe_build, cache_dir, release=release) as target:
        for _ in range(2):
            r = target.run(Invocation("sockspec_selftest", []))
            assert r.observations["lo_packets_at_start"] == 0, "an earlier run's packets are in this namespace"
            assert r.observations["interfaces"] == 1
        if release == "2022":
            assert "RTM_NEWROUTE: Operation not supported" in target.runs_unshared
        else:
            assert target.runs_unshared is None and len(target.sandbox_starts) == 1, "one sandbox served both"


@needs_runsc
def test_gvisor_timeout_leaves_nothing_running(gvisor, probe_build, cache_dir):
    from sockspec.targets.gvisor import GvisorTarget
    with GvisorTarget(probe_build, cache_dir) as target:
        with pytest.raises(TargetError, match="timed out"):
            target.run(Invocation("sockspec_selftest", ["--hang"], timeout_s=1.0, capture=False))
        assert target.run(Invocation("sockspec_selftest", [], capture=False)).exit_code == 0, \
            "the sandbox serves the next run"
        with pytest.raises(TargetError, match="timed out"):
            target.run(Invocation("sockspec_selftest", ["--hang"], sysctls={"net.ipv4.tcp_sack": "0"},
                                  timeout_s=1.0, capture=False))
        assert not target._procs, "the one-shot sandbox of a run with sysctls is gone"
        state = target.workdir() / "state"
        target.close()
    assert not state.exists() or not any(state.iterdir()), "runsc cleaned its container state"


@needs_runsc
def test_gvisor_environment(gvisor):
    env = gvisor.environment()
    assert env["target"] == "gvisor"
    assert env["kernel_release"], "the sandbox's uname -r"
    assert env["kernel_version"] and env["machine"] == "x86_64"
    assert env["runsc_version"] and env["platform"] == "ptrace"
    assert env["sysctls"]["net.core.somaxconn"] is not None
    assert env["capture"] or env["capture_unavailable"]

