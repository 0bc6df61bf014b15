"""Reading results directories that come from elsewhere.

A results file names other files (pcaps, events) by paths relative to its
directory. Those names are input like any other: a name may only reach a
regular file inside the directory, and no file is read past a size cap, so a
hostile directory cannot draw another file of this machine into a report,
hang the reader on a FIFO or exhaust memory with /dev/zero. JSON is parsed
with its nesting bounded, so no reader recurses without limit.

Every refusal is a ResultsError (one line, exit 2) that names the file and the
reason, never its contents.
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ResultsError

MIB = 1 << 20
MAX_RESULTS_BYTES = 256 * MIB  # a results.json of 20,000 tests is about 50 MiB
MAX_FILE_BYTES = 64 * MIB      # a pcap or events file (a run writes at most a few hundred packets)
MAX_DEPTH = 64                 # sockspec writes no more than 10 levels
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class UntrustedInput(ResultsError):
    """A file a results directory names that sockspec will not read."""


def read_inside(directory: Path, name: Any, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `name`, a relative path to a regular file inside directory.
    Each component is opened relative to the last without following symlinks,
    so nothing outside can be reached, also not by a directory swapped for a
    link meanwhile. A missing file is FileNotFoundError (a result may lack its
    capture); anything else refused is UntrustedInput."""
    shown = f"{directory}: {str(name)[:80]!r}"
    path = PurePosixPath(name) if isinstance(name, str) and name and "\0" not in name else None
    if path is None:
        raise UntrustedInput(f"{shown}: not a file name")
    if path.is_absolute() or ".." in path.parts:
        raise UntrustedInput(f"{shown}: names a file outside the results directory")
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        *folders, leaf = path.parts
        for part in folders:
            child = _open_at(fd, part, stat.S_ISDIR, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                             shown)
            os.close(fd)
            fd = child
        child = _open_at(fd, leaf, stat.S_ISREG, _OPEN_FLAGS, shown)
        os.close(fd)
        fd = child
        return _read_regular(fd, max_bytes, shown)
    finally:
        os.close(fd)


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file a person named on the command line."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UntrustedInput(f"{path}: not a regular file")
        fd = os.open(path, _OPEN_FLAGS & ~os.O_NOFOLLOW)
    except FileNotFoundError:
        raise UntrustedInput(f"{path}: no such file") from None
    except OSError as e:
        raise UntrustedInput(f"{path}: cannot open ({e.strerror})") from None
    try:
        return _read_regular(fd, max_bytes, str(path))
    finally:
        os.close(fd)


def _open_at(dir_fd: int, part: str, is_kind, flags: int, shown: str) -> int:
    """Opens part in dir_fd when lstat says it is of the kind wanted: a device
    or FIFO is never opened at all (opening some devices acts)."""
    try:
        mode = os.stat(part, dir_fd=dir_fd, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            raise UntrustedInput(f"{shown}: a symlink (none is followed inside a results directory)")
        if not is_kind(mode):
            raise UntrustedInput(f"{shown}: not a regular file inside directories")
        return os.open(part, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise
    except OSError as e:
        raise UntrustedInput(f"{shown}: cannot open ({e.strerror})") from None


def _read_regular(fd: int, max_bytes: int, shown: str) -> bytes:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise UntrustedInput(f"{shown}: not a regular file")
    if st.st_size > max_bytes:
        raise UntrustedInput(f"{shown}: larger than {max_bytes // MIB} MiB")
    os.set_blocking(fd, True)
    chunks, size = [], 0
    while chunk := os.read(fd, min(MIB, max_bytes + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:  # it grew while we read
            raise UntrustedInput(f"{shown}: larger than {max_bytes // MIB} MiB")
    return b"".join(chunks)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


def _nesting_within(text: str, limit: int) -> bool:
    """Whether valid JSON text nests arrays and objects at most `limit` deep:
    with strings and everything but brackets taken out, each pass removes the
    innermost level."""
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not skeleton:
            return True
        skeleton = _EMPTY_PAIR.sub("", skeleton)
    return not skeleton


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(data: bytes, shown: str, max_depth: int = MAX_DEPTH) -> Any:
    """data parsed as strict JSON (no NaN or Infinity), nested at most max_depth deep."""
    too_deep = UntrustedInput(f"{shown}: nested more than {max_depth} levels deep")
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as e:
        raise UntrustedInput(f"{shown}: not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise UntrustedInput(f"{shown}: not JSON (line {e.lineno}: {e.msg})") from None
    except ValueError as e:
        raise UntrustedInput(f"{shown}: not JSON ({e})") from None
    except RecursionError:
        raise too_deep from None
    if not _nesting_within(text, max_depth):
        raise too_deep
    return value


def load_json_lines(data: bytes, shown: str) -> list[Any]:
    """One bounded JSON value per non-empty line."""
    return [load_json(line, f"{shown} line {n}") for n, line in enumerate(data.splitlines(), 1) if line.strip()]
