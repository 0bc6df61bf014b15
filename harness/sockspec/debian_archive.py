"""Debian's archive through the project's own apt configuration, for the
stacks sockspec compares: cloud kernels of bullseye, bookworm, trixie and sid
for the qemu target, and runsc releases for the gvisor target.

The configuration (sources list, lists, cache, an empty dpkg status) lives
under build/apt/ and is passed to apt-get with -o Dir::... options; the host's
sources, lists and installed packages are never read for packages or changed.
The mirrors are the ones this machine's apt already uses (apt-get
indextargets), never written down; each release comes with its -updates and
-security suites, where point releases and security fixes put newer kernels. Packages are fetched with `apt-get download` and unpacked
with `dpkg-deb -x` into the build cache: never installed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .errors import SockspecError

SUITES = ("bullseye", "bookworm", "trixie", "sid")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Lists older than this are fetched again before a package is chosen.
LISTS_MAX_AGE_S = 24 * 3600


class ArchiveError(SockspecError):
    """The archive could not be reached, or holds no package for a stack."""


@dataclasses.dataclass(frozen=True)
class Wanted:
    """A stack's package: the newest whose name matches `pattern`, ordered by
    the pattern's groups read as numbers (ABI 32 after 9)."""
    stack: str          # "qemu:5.10", "gvisor:2024"
    pattern: str        # a full-match regex on package names
    hint: str           # where it is: "bullseye's linux-image-5.10.0-N-cloud-amd64"


# Each version of a stack, and the package that holds it.
KERNELS = {
    "5.10": Wanted("qemu:5.10", r"linux-image-5\.10\.0-(\d+)-cloud-amd64", "bullseye's linux-image-5.10.0-N-cloud-amd64"),
    "6.1": Wanted("qemu:6.1", r"linux-image-6\.1\.0-(\d+)-cloud-amd64", "bookworm's linux-image-6.1.0-N-cloud-amd64"),
    "6.12": Wanted("qemu:6.12", r"linux-image-6\.12\.(\d+)\+deb13-cloud-amd64", "trixie's linux-image-6.12.N+deb13-cloud-amd64"),
    # sid splits the image: the kernel in linux-binary-*, the modules in linux-modules-*.
    "7.2": Wanted("qemu:7.2", r"linux-binary-7\.2\.(\d+)\+deb14-cloud-amd64", "sid's linux-binary-7.2.N+deb14-cloud-amd64"),
}
RUNSC = {
    "2022": ("bookworm", "0.0~20221219"),
    "2024": ("trixie", "0.0~20240729"),
}


INDEXTARGETS_FORMAT = "$(REPO_URI) $(RELEASE) $(COMPONENT) $(ORIGIN)"


def mirrors(indextargets: str) -> tuple[str, str | None]:
    """The Debian mirror and security mirror this machine's apt uses, from
    `apt-get indextargets --format INDEXTARGETS_FORMAT` (main component, origin
    Debian): the mirror is where a bare release ("bookworm") comes from, the
    security mirror where a "-security" one does (None when apt has none)."""
    found: dict[str, str] = {}
    for line in indextargets.splitlines():
        uri, release, component, *origin = line.split()
        if component != "main" or (origin and origin[0] != "Debian"):
            continue
        kind = "security" if release.endswith("-security") else "main" if "-" not in release else None
        if kind:
            found.setdefault(kind, uri)
    if "main" not in found:
        raise ArchiveError("apt's configuration names no Debian mirror (apt-get indextargets shows none)")
    return found["main"], found.get("security")


def sources_list(mirror: str, security: str | None) -> str:
    """Each release with its stable updates and security suites (sid has neither),
    so that the newest package of a series is the newest Debian published."""
    lines = []
    for suite in SUITES:
        lines.append(f"{mirror} {suite}")
        if suite != "sid":
            lines.append(f"{mirror} {suite}-updates")
            if security:
                lines.append(f"{security} {suite}-security")
    return "".join(f"deb [signed-by={KEYRING}] {line} main\n" for line in lines)


def configured_sources() -> str:
    out = subprocess.run(["apt-get", "indextargets", "--format", INDEXTARGETS_FORMAT, "Identifier: Packages"],
                         capture_output=True, text=True).stdout
    return sources_list(*mirrors(out))


def newest(names: list[str], pattern: str) -> str | None:
    """The newest of `names` that match `pattern` fully, by its numeric groups."""
    regex = re.compile(pattern)
    matches = [(tuple(int(g) for g in m.groups()), n) for n in names if (m := regex.fullmatch(n))]
    return max(matches)[1] if matches else None


class DebianArchive:
    def __init__(self, root: Path):
        # Absolute: apt reads a relative Dir:: path against its own directories.
        self.root = Path(root).resolve()

    def _options(self) -> list[str]:
        r = self.root
        return ["-o", f"Dir::Etc::SourceList={r / 'sources.list'}",
                "-o", f"Dir::Etc::SourceParts={r / 'sources.list.d'}",
                "-o", f"Dir::Etc::PreferencesParts={r / 'preferences.d'}",
                "-o", "Dir::Etc::Preferences=/dev/null",
                "-o", f"Dir::State::Lists={r / 'lists'}",
                "-o", f"Dir::State::status={r / 'status'}",
                "-o", f"Dir::Cache={r / 'cache'}",
                "-o", "Debug::NoLocking=1",
                "-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64"]

    def _apt(self, tool: str, *args: str, cwd: Path | None = None, timeout: float = 600) -> str:
        proc = subprocess.run([tool, *self._options(), *args], capture_output=True, text=True,
                              cwd=cwd, timeout=timeout, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise ArchiveError(f"{tool} {' '.join(args)} failed: {last}")
        return proc.stdout

    def _configure(self) -> None:
        for d in ("sources.list.d", "preferences.d", "lists/partial", "cache/archives/partial", "debs"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "status").touch()
        text = configured_sources()
        sources = self.root / "sources.list"
        if not sources.exists() or sources.read_text() != text:
            sources.write_text(text)
            shutil.rmtree(self.root / "lists", ignore_errors=True)
            (self.root / "lists" / "partial").mkdir(parents=True)

    @contextlib.contextmanager
    def locked(self):
        """One process at a time fetches into build/apt and the cache: parallel
        pytest workers each booting a guest would otherwise fetch the same
        lists at once (apt runs here without its own lock)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def update(self, max_age_s: float = LISTS_MAX_AGE_S) -> None:
        """Fetches the lists unless they are younger than max_age_s."""
        self._configure()
        stamp = self.root / "lists" / ".updated"
        if stamp.exists() and time.time() - stamp.stat().st_mtime < max_age_s:
            return
        self._apt("apt-get", "-q", "update")
        stamp.touch()

    def package_names(self, prefix: str) -> list[str]:
        return self._apt("apt-cache", "pkgnames", prefix).split()

    def version_of(self, name: str, starting: str = "", suite: str | None = None) -> str:
        """The candidate version of `name`, or with `starting`, the newest version that
        begins so; with `suite`, only that suite's ("trixie")."""
        out = self._apt("apt-cache", "madison", name)
        rows = [(cols[1].strip(), cols[2].split()) for line in out.splitlines()
                if len(cols := line.split("|")) >= 3]
        versions = [v for v, where in rows if v.startswith(starting)
                    and (suite is None or (len(where) >= 2 and where[1].split("/")[0] == suite))]
        if not versions:
            raise ArchiveError(f"the archive has no {name} {starting}*" + (f" in {suite}" if suite else ""))
        return versions[0]   # madison lists the newest first

    def download(self, name: str, version: str) -> Path:
        """The .deb of name=version, downloaded once into build/apt/debs."""
        debs = self.root / "debs"
        found = sorted(debs.glob(f"{name}_*.deb"))
        wanted = [d for d in found if self._deb_version(d) == version]
        if wanted:
            return wanted[0]
        with tempfile.TemporaryDirectory(dir=debs) as tmp:
            self._apt("apt-get", "-q", "download", f"{name}={version}", cwd=Path(tmp))
            got = list(Path(tmp).glob("*.deb"))
            if len(got) != 1:
                raise ArchiveError(f"apt-get download {name}={version} gave {len(got)} files")
            final = debs / got[0].name
            os.replace(got[0], final)
            return final

    @staticmethod
    def _deb_version(deb: Path) -> str:
        return subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True,
                              text=True).stdout.strip()

    @staticmethod
    def unpack(deb: Path, dest: Path) -> Path:
        """dpkg-deb -x into dest, through a staging directory so a half-unpacked tree is never used."""
        if dest.is_dir():
            return dest
        staging = dest.with_name(dest.name + f".staging-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], capture_output=True, text=True)
        if proc.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise ArchiveError(f"dpkg-deb -x {deb.name} failed: {proc.stderr.strip()[-200:]}")
        staging.rename(dest)
        return dest


@dataclasses.dataclass(frozen=True)
class FetchedKernel:
    stack: str            # "qemu:5.10"
    package: str
    version: str
    image: Path           # the bzImage
    modules_dir: Path | None


def fetch_kernel(archive: DebianArchive, series: str, cache_dir: Path) -> FetchedKernel:
    """The newest cloud kernel of a series ("5.10", "6.1", "6.12", "7.2"),
    downloaded and unpacked into cache_dir/kernels (reused when already there)."""
    if series not in KERNELS:
        raise ArchiveError(f"no kernel series {series!r} (known: {', '.join(KERNELS)})")
    wanted = KERNELS[series]
    cache_dir = Path(cache_dir).resolve()
    meta_path = cache_dir / "kernels" / f"{series}.json"
    # A kernel chosen from other lists (fewer suites) may not be the newest of these.
    sources = configured_sources()
    kernel = _cached_kernel(meta_path, sources)
    if kernel is not None:
        return kernel
    with archive.locked():
        # Another process may have fetched it while this one waited.
        return _cached_kernel(meta_path, sources) or _fetch_kernel(archive, wanted, cache_dir, meta_path, sources)


def _cached_kernel(meta_path: Path, sources: str) -> FetchedKernel | None:
    try:
        m = json.loads(meta_path.read_text())
        if m.get("sources") != sources:
            return None
        kernel = FetchedKernel(m["stack"], m["package"], m["version"], Path(m["image"]),
                               Path(m["modules_dir"]) if m["modules_dir"] else None)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return kernel if kernel.image.is_file() else None


def _fetch_kernel(archive: DebianArchive, wanted: Wanted, cache_dir: Path, meta_path: Path,
                  sources: str) -> FetchedKernel:
    archive.update()
    prefix = wanted.pattern.split("\\")[0].split("(")[0]
    name = newest(archive.package_names(prefix), wanted.pattern)
    if name is None:
        raise ArchiveError(f"{wanted.stack}: the archive has no {wanted.hint}")
    version = archive.version_of(name)
    tree = archive.unpack(archive.download(name, version), Path(cache_dir) / "kernels" / f"{name}_{version}")
    if name.startswith("linux-binary-"):
        modules_name = name.replace("linux-binary-", "linux-modules-", 1)
        modules_tree = archive.unpack(archive.download(modules_name, archive.version_of(modules_name)),
                                      Path(cache_dir) / "kernels" / f"{modules_name}_{version}")
    else:
        modules_tree = tree
    images = sorted(tree.glob("boot/vmlinuz-*")) + sorted(tree.glob("usr/lib/modules/*/vmlinuz"))
    if not images:
        raise ArchiveError(f"{wanted.stack}: {name} {version} holds no vmlinuz")
    image = images[0]
    release = image.name[len("vmlinuz-"):] if image.name.startswith("vmlinuz-") else image.parent.name
    modules = next((d for d in (modules_tree / "lib/modules" / release, modules_tree / "usr/lib/modules" / release)
                    if d.is_dir()), None)
    kernel = FetchedKernel(wanted.stack, name, version, image, modules)
    tmp = meta_path.with_name(meta_path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps({**dataclasses.asdict(kernel), "image": str(image),
                               "modules_dir": str(modules) if modules else None, "sources": sources}))
    tmp.replace(meta_path)
    return kernel


def fetch_runsc(archive: DebianArchive, release: str, cache_dir: Path) -> tuple[str, Path]:
    """runsc of a release year ("2022", "2024"): its version and the unpacked
    binary (reused when already there, as kernels are: asking the archive
    again costs seconds, and every worker of a run asks)."""
    if release not in RUNSC:
        raise ArchiveError(f"no gVisor release {release!r} (known: {', '.join(RUNSC)})")
    suite, starting = RUNSC[release]
    cache_dir = Path(cache_dir).resolve()
    meta_path = cache_dir / "runsc" / f"{release}.json"
    cached = _cached_runsc(meta_path)
    if cached is not None:
        return cached
    with archive.locked():
        cached = _cached_runsc(meta_path)   # another process may have fetched it while this one waited
        if cached is not None:
            return cached
        archive.update()
        # The suite's own build: sid's rebuild of the same release (Go 1.26)
        # reads goroutine ids at the wrong offset and its sentry panics at random.
        version = archive.version_of("runsc", starting, suite)
        tree = archive.unpack(archive.download("runsc", version), cache_dir / "runsc" / version)
        binary = tree / "usr" / "bin" / "runsc"
        if not binary.is_file():
            raise ArchiveError(f"gvisor:{release}: runsc {version} ({suite}) holds no usr/bin/runsc")
        tmp = meta_path.with_name(meta_path.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps({"version": version, "binary": str(binary)}))
        tmp.replace(meta_path)
    return version, binary


def _cached_runsc(meta_path: Path) -> tuple[str, Path] | None:
    try:
        m = json.loads(meta_path.read_text())
        version, binary = m["version"], Path(m["binary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (version, binary) if binary.is_file() else None
