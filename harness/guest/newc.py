"""The initramfs's format: newc cpio entries, built in memory from bytes and
host paths (mirroring the host's symlinked directories, so the dynamic loader
finds in the guest what ldd found here). Only the standard library is used;
harness/guest/build.py imports it by path."""
from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path


class BuildError(RuntimeError):
    pass


class Archive:
    """An in-memory list of initramfs entries keyed by their guest path."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple] = {}   # path -> (kind, mode, data/target/src)

    # -- low level
    def add_dir(self, path: str, mode: int = 0o755) -> None:
        path = path.rstrip("/") or "/"
        if path == "/":
            return
        self.add_dir(os.path.dirname(path))
        if path not in self.entries:
            self.entries[path] = ("dir", mode, None)

    def add_symlink(self, path: str, target: str) -> None:
        self.add_dir(os.path.dirname(path))
        self.entries[path] = ("link", 0o777, target)

    def add_bytes(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.add_dir(os.path.dirname(path))
        self.entries[path] = ("file", mode, data)

    def add_file_from(self, path: str, src: str, mode: int | None = None) -> None:
        self.add_dir(os.path.dirname(path))
        st = os.stat(src)
        self.entries[path] = ("file", mode if mode is not None else stat.S_IMODE(st.st_mode), src)

    # -- host paths, mirrored with their symlinks
    def _mirror_parents(self, path: str) -> str:
        """Adds the symlinked prefixes of path's directory; returns the physical dir."""
        parts = Path(path).parent.parts[1:]
        cur = "/"
        for part in parts:
            nxt = os.path.join(cur, part)
            if os.path.islink(nxt):
                target = os.readlink(nxt)
                self.add_symlink(os.path.join(os.path.realpath(cur), part), target)
            cur = nxt
        phys = os.path.realpath(os.path.dirname(path))
        self.add_dir(phys)
        return phys

    def guest_path(self, path: str) -> str:
        """Where path lands when its directory's symlinks are mirrored."""
        return os.path.join(self._mirror_parents(path), os.path.basename(path))

    def add_host_path(self, path: str, _depth: int = 0) -> None:
        if _depth > 40:
            raise BuildError(f"symlink loop at {path}")
        phys = self.guest_path(path)
        if os.path.islink(phys):
            target = os.readlink(phys)
            self.entries[phys] = ("link", 0o777, target)
            resolved = target if os.path.isabs(target) else os.path.join(os.path.dirname(phys), target)
            self.add_host_path(os.path.normpath(resolved), _depth + 1)
        elif os.path.isfile(phys):
            self.add_file_from(phys, phys)
        else:
            raise BuildError(f"{path}: not found on this host")

    def add_program(self, host_path: str, guest_path: str | None = None) -> None:
        """A program and every shared library it needs (by ldd)."""
        if guest_path is None:
            self.add_host_path(host_path)
        else:
            self.add_file_from(guest_path, host_path, 0o755)
        for lib in shared_libraries(host_path):
            self.add_host_path(lib)

    # -- output
    def write_newc(self, out) -> None:
        ino = 1000
        for path in sorted(self.entries):
            kind, mode, payload = self.entries[path]
            if kind == "dir":
                data, fmode, nlink = b"", stat.S_IFDIR | mode, 2
            elif kind == "link":
                data, fmode, nlink = payload.encode(), stat.S_IFLNK | 0o777, 1
            elif isinstance(payload, bytes):
                data, fmode, nlink = payload, stat.S_IFREG | mode, 1
            else:
                data, fmode, nlink = Path(payload).read_bytes(), stat.S_IFREG | mode, 1
            ino += 1
            _write_newc_entry(out, path.lstrip("/"), fmode, nlink, ino, data)
        _write_newc_entry(out, "TRAILER!!!", 0, 1, 0, b"")


def _write_newc_entry(out, name: str, mode: int, nlink: int, ino: int, data: bytes) -> None:
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    out.write(header)
    out.write(name_b)
    out.write(b"\0" * ((4 - (len(header) + len(name_b)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def shared_libraries(path: str) -> list[str]:
    """Absolute paths of the libraries (and loader) ldd resolves for path."""
    if not is_elf(path):
        return []
    proc = subprocess.run(["ldd", path], capture_output=True, text=True)
    if proc.returncode != 0:
        if "not a dynamic executable" in (proc.stdout + proc.stderr) or "statically linked" in proc.stdout:
            return []
        raise BuildError(f"ldd {path} failed: {proc.stderr.strip()}")
    libs = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if "statically linked" in line:
            return []
        if "=> not found" in line:
            raise BuildError(f"{path}: library missing on this host: {line}")
        if "=>" in line:
            target = line.split("=>", 1)[1].strip().split(" (", 1)[0].strip()
            if target.startswith("/"):
                libs.append(target)
        elif line.startswith("/"):
            libs.append(line.split(" (", 1)[0].strip())
    return libs
