"""The kernel a qemu guest boots: a bzImage, and the modules the probes and
the faults need from its package (sock_diag handlers, nf_tables)."""
from __future__ import annotations

import dataclasses
import lzma
import re
from pathlib import Path

from ..debian_archive import ArchiveError, DebianArchive, fetch_kernel
from ..errors import TargetError
from ..paths import build_dir


@dataclasses.dataclass
class KernelImage:
    path: Path
    package: str | None = None
    version: str | None = None
    modules_dir: Path | None = None   # lib/modules/<release> of that package


DEFAULT_SERIES = "6.1"   # Debian bookworm's cloud kernel


def default_kernel(cache_dir: Path, series: str = DEFAULT_SERIES) -> KernelImage:
    """The newest cloud kernel of `series` in Debian's archive, fetched
    through the project's own apt configuration (build/apt, whatever build
    directory the target's probes come from) and unpacked in
    cache_dir/kernels, never installed."""
    try:
        k = fetch_kernel(DebianArchive(build_dir() / "apt"), series, cache_dir)
    except ArchiveError as e:
        raise TargetError(f"qemu:{series}: no kernel: {e}") from e
    return KernelImage(k.image, k.package, k.version, k.modules_dir)


# Loaded at boot: the sock_diag handlers probes use to read socket state
# (without them a SOCK_DIAG_BY_FAMILY dump fails with ENOENT).
BOOT_MODULES = ("inet_diag", "tcp_diag", "udp_diag", "raw_diag", "unix_diag",
                "af_packet_diag", "netlink_diag",
                # the scripted peer's device (sockspec/peer.h): a module in every Debian cloud kernel
                "tun",
                # the agent's channel (qemu_guest.py), where the kernel has them as modules
                "virtio_pci", "virtio_console")
# Loaded before the first fault rules (harness/sockspec/faults.py).
# nft_counter: a module of its own in 5.10 (later kernels build it into nf_tables).
FAULT_MODULES = ("nf_tables", "nft_counter", "nft_numgen", "nft_limit", "nft_quota", "nft_reject_inet")


def _module_depends(ko: Path) -> list[str]:
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", ko.read_bytes())
    return [d for d in m.group(1).decode().split(",") if d] if m else []


def resolve_modules(modules_dir: Path | None, cache_dir: Path, wanted: tuple[str, ...]) -> list[Path]:
    """The .ko files for `wanted` with their dependencies, in load order
    (xz-compressed modules are unpacked into the cache)."""
    if modules_dir is None or not modules_dir.is_dir():
        return []
    index: dict[str, Path] = {}
    for ko in modules_dir.rglob("*.ko*"):
        name = ko.name.split(".ko")[0]
        index.setdefault(name, ko)
        index.setdefault(name.replace("-", "_"), ko)

    def plain(ko: Path) -> Path:
        if ko.suffix == ".ko":
            return ko
        if ko.name.endswith(".ko.xz"):
            out = Path(cache_dir) / "modules" / modules_dir.name / ko.name[:-3]
            if not out.is_file():
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(lzma.decompress(ko.read_bytes()))
            return out
        raise TargetError(f"cannot unpack kernel module {ko}")

    order: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        ko = index.get(name) or index.get(name.replace("-", "_"))
        if ko is None:
            return   # built in, or not in this kernel: nft will say what is missing
        ko = plain(ko)
        for dep in _module_depends(ko):
            visit(dep)
        order.append(ko)

    for name in wanted:
        visit(name)
    return order


def modules_for_image(image: Path) -> Path | None:
    """lib/modules/<release> that belongs to a bzImage named vmlinuz-<release>,
    when it sits in an unpacked package tree (boot/ next to lib/) or the host
    has that release's modules installed; None otherwise (then the kernel must
    have sock_diag and nf_tables built in for the probes and faults that use them)."""
    if not image.name.startswith("vmlinuz-"):
        return None
    release = image.name[len("vmlinuz-"):]
    for cand in (image.parent.parent / "lib" / "modules" / release,
                 image.parent / "modules" / release,
                 Path("/lib/modules") / release):
        if cand.is_dir():
            return cand
    return None
