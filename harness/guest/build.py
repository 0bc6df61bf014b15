#!/usr/bin/python3
"""Builds what the qemu and gVisor targets run: the agent and the guest initramfs.

    /usr/bin/python3 harness/guest/build.py agent --cache DIR
        compiles agent.c (static) into DIR, prints its path
    /usr/bin/python3 harness/guest/build.py initramfs --build-dir build --cache DIR --out F
        writes an uncompressed newc initramfs to F

The initramfs (two archives: everything else, cached, then the kernel's
modules) holds: /init (init.sh), busybox-static with its applet links,
the agent, tcpdump and nft with every shared library ldd names, the kernel
modules fault injection needs (when the kernel has them as modules), the probes from
<build-dir>/probes/ under /probes/ with their libraries (libstdc++ etc.), and a
minimal /etc.  Files keep the host's paths and the host's symlinks (lib ->
usr/lib on a merged-/usr system), so the dynamic loader finds what ldd found.

Only the standard library is used; the targets import this file by path.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))   # newc.py beside it, however this file was loaded
from newc import Archive, BuildError, is_elf, shared_libraries  # noqa: E402
AGENT_SOURCE = HERE / "agent.c"
INIT_SCRIPT = HERE / "init.sh"

BUSYBOX = "/bin/busybox"
TCPDUMP = "/usr/bin/tcpdump"
GUEST_AGENT = "/sbin/sockspec-agent"
NFT = "/usr/sbin/nft"
GUEST_PROBES = "/probes"
GUEST_MODULES = "/lib/modules/sockspec"   # agent.c MODULE_DIR


# ---------------------------------------------------------------- agent

def build_agent(cache_dir: Path, cc: str | None = None) -> Path:
    """Compiles the agent statically, cached by the source's hash."""
    source = AGENT_SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    out = Path(cache_dir) / f"sockspec-agent-{digest}"
    if out.is_file() and os.access(out, os.X_OK):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    cc = cc or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise BuildError("no C compiler (cc/gcc) to build the guest agent")
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    proc = subprocess.run(
        [cc, "-O2", "-Wall", "-static", "-o", str(tmp), str(AGENT_SOURCE)],
        capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"compiling {AGENT_SOURCE} failed:\n{proc.stderr}")
    os.replace(tmp, out)
    for stale in out.parent.glob("sockspec-agent-*"):   # builds of older sources
        if stale != out and ".tmp" not in stale.name:
            with contextlib.suppress(OSError):
                stale.unlink()
    return out


# ---------------------------------------------------------------- host facts

def probe_files(build_dir: Path) -> list[Path]:
    d = Path(build_dir) / "probes"
    return sorted(p for p in d.iterdir() if p.is_file() and os.access(p, os.X_OK) and is_elf(str(p))) \
        if d.is_dir() else []


def probes_signature(build_dir: Path) -> tuple:
    """Changes whenever a probe binary is added, removed or rebuilt."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in probe_files(build_dir))


def busybox_applets(busybox: str) -> list[str]:
    proc = subprocess.run([busybox, "--list"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"{busybox} --list failed")
    return [a for a in proc.stdout.split() if a and "/" not in a]


# ---------------------------------------------------------------- initramfs

def build_initramfs(build_dir: Path, cache_dir: Path, out: Path,
                    extra_programs: list[str] | None = None,
                    modules: dict[str, list[Path]] | None = None) -> dict:
    """Writes the initramfs; returns a manifest (probe names, tool paths).

    `modules` maps a list name to kernel modules (uncompressed .ko, in load
    order): the agent loads "boot" at start-up and "faults" before it first
    applies fault rules with nft.

    The initramfs is two newc archives, one after the other, as the kernel
    unpacks them (early microcode is prepended so): everything but the
    kernel's modules, kept in cache_dir/initramfs/ for as long as the probes,
    the agent and the tools are unchanged, and the modules. Building the
    first means a strip and an ldd for each of ~150 probes, tens of seconds
    under load; every qemu worker of every kernel booted from its own build of
    it, and now all of them share one."""
    base, manifest = cached_base_archive(build_dir, cache_dir, extra_programs)
    arc = Archive()
    module_lists: dict[str, list[str]] = {}
    for list_name, kos in (modules or {}).items():
        names = []
        for ko in kos:
            name = Path(ko).name
            arc.add_file_from(arc.guest_path(f"{GUEST_MODULES}/{name}"), str(ko), 0o644)
            names.append(name)
        if names:
            arc.add_bytes(arc.guest_path(f"{GUEST_MODULES}/{list_name}.order"),
                          ("\n".join(names) + "\n").encode())
        module_lists[list_name] = names

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name + ".")
    try:
        with os.fdopen(fd, "wb") as f, open(base, "rb") as b:
            shutil.copyfileobj(b, f, 1 << 20)
            arc.write_newc(f)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    return {**manifest, "initramfs": str(out), "size": out.stat().st_size,
            "files": manifest["files"] + len(arc.entries), "modules": module_lists}


def cached_base_archive(build_dir: Path, cache_dir: Path,
                        extra_programs: list[str] | None = None) -> tuple[Path, dict]:
    """The archive of everything but the kernel's modules, and its manifest:
    built at most once for a given set of probes, agent, init and tools (one
    process at a time builds; the others wait for it, then read it)."""
    agent = build_agent(cache_dir)
    key = hashlib.sha256(repr((
        probes_signature(build_dir), str(agent), INIT_SCRIPT.read_bytes(), sorted(extra_programs or []),
        Path(__file__).read_bytes(),   # the recipe: how probes are stripped, what goes in
        [(t, os.stat(t).st_size, os.stat(t).st_mtime_ns) for t in (BUSYBOX, TCPDUMP, NFT) if os.path.exists(t)],
    )).encode()).hexdigest()[:16]
    store = Path(cache_dir) / "initramfs"
    store.mkdir(parents=True, exist_ok=True)
    archive, manifest_file = store / f"base-{key}.cpio", store / f"base-{key}.json"
    with open(store / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (archive.is_file() and manifest_file.is_file()):
            manifest = _write_base_archive(build_dir, agent, archive, extra_programs)
            manifest_file.write_text(json.dumps(manifest))
            # Bases of other probe builds: kept while in use (a run of another
            # checkout sharing this cache), removed once a day old.
            for old in store.glob("base-*"):
                if old.stem != archive.stem and old.stat().st_mtime < archive.stat().st_mtime - 86400:
                    old.unlink(missing_ok=True)
        os.utime(archive)
        return archive, json.loads(manifest_file.read_text())


def _write_base_archive(build_dir: Path, agent: Path, out: Path, extra_programs: list[str] | None) -> dict:
    for tool, pkg in ((BUSYBOX, "busybox-static"), (TCPDUMP, "tcpdump")):
        if not os.path.exists(tool):
            raise BuildError(f"{tool} is missing (apt-get install {pkg})")
    if shared_libraries(BUSYBOX):
        raise BuildError(f"{BUSYBOX} is not static (apt-get install busybox-static)")
    arc = Archive()
    for d in ("/proc", "/sys", "/dev", "/tmp", "/run", "/root", "/etc", GUEST_PROBES):
        arc.add_dir(d)
    arc.entries["/tmp"] = ("dir", 0o1777, None)
    arc.add_bytes("/init", INIT_SCRIPT.read_bytes(), 0o755)

    # busybox and its applets, wherever /bin really is on this host
    arc.add_host_path(BUSYBOX)
    bb_guest = arc.guest_path(BUSYBOX)
    bindir = os.path.dirname(bb_guest)
    for applet in busybox_applets(BUSYBOX):
        p = os.path.join(bindir, applet)
        if p not in arc.entries:
            arc.add_symlink(p, "busybox")

    arc.add_file_from(arc.guest_path(GUEST_AGENT), str(agent), 0o755)
    arc.add_program(TCPDUMP)
    has_nft = os.path.exists(NFT)
    if has_nft:
        arc.add_program(NFT)
    for prog in extra_programs or []:
        arc.add_program(prog)

    # Probes go in without debug info or symbol tables, which nothing in the
    # guest reads (a debug build is ~14 MB a probe, and every MB costs boot
    # time under TCG): the initramfs went from 232 MB, with the symbols, to
    # about 160. The code is the same.
    strip = shutil.which("strip")
    stripped_dir = tempfile.TemporaryDirectory(prefix="sockspec-probes-")
    probes = probe_files(build_dir)
    for p in probes:
        src = str(p)
        if strip:
            dst = os.path.join(stripped_dir.name, p.name)
            if subprocess.run([strip, "--strip-all", "-o", dst, src],
                              capture_output=True).returncode == 0:
                src = dst
        arc.add_file_from(f"{GUEST_PROBES}/{p.name}", src, 0o755)
        for lib in shared_libraries(str(p)):
            arc.add_host_path(lib)

    arc.add_bytes("/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"
                  b"tcpdump:x:100:101::/nonexistent:/usr/sbin/nologin\n"
                  b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    arc.add_bytes("/etc/group", b"root:x:0:\ntcpdump:x:101:\nnogroup:x:65534:\n")
    arc.add_bytes("/etc/hosts", b"127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n")
    arc.add_bytes("/etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files\n")
    arc.add_bytes("/etc/hostname", b"sockspec-guest\n")

    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=out.name + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            arc.write_newc(f)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        stripped_dir.cleanup()
    return {"files": len(arc.entries), "probes": [p.name for p in probes], "probes_stripped": bool(strip),
            "agent": str(agent), "busybox": BUSYBOX, "tcpdump": TCPDUMP, "nft": NFT if has_nft else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("agent", help="compile the static agent")
    a.add_argument("--cache", type=Path, required=True)
    i = sub.add_parser("initramfs", help="build the guest initramfs")
    i.add_argument("--build-dir", type=Path, required=True)
    i.add_argument("--cache", type=Path, required=True)
    i.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    try:
        if args.what == "agent":
            print(build_agent(args.cache))
        else:
            m = build_initramfs(args.build_dir, args.cache, args.out)
            print(f"{m['initramfs']}: {m['size']} bytes, {m['files']} entries, "
                  f"probes: {' '.join(m['probes']) or '(none)'}")
    except BuildError as e:
        print(f"build.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
