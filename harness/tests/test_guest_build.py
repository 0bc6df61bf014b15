"""The guest initramfs: the newc writer, and the cached base archive that
every qemu worker's initramfs starts with. Neither needs a VM."""
from __future__ import annotations

import io
import os
import shutil

import pytest

from sockspec.targets.guest_agent import load_guest_builder

builder = load_guest_builder()


def test_initramfs_writer_mirrors_symlinked_dirs_and_is_valid_newc(tmp_path):
    arc = builder.Archive()
    arc.add_bytes("/init", b"#!/bin/sh\n", 0o755)
    arc.add_host_path("/bin/sh")     # on merged-/usr Debian: bin -> usr/bin, sh -> dash
    arc.add_symlink("/probes/link", "x")
    out = io.BytesIO()
    arc.write_newc(out)
    data = out.getvalue()
    assert data.startswith(b"070701") and data.rstrip(b"\0").endswith(b"TRAILER!!!")
    assert len(data) % 4 == 0
    names = set()
    pos = 0
    while True:
        hdr = data[pos:pos + 110]
        assert hdr[:6] == b"070701"
        fields = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        if name == "TRAILER!!!":
            break
        names.add(name)
        pos += 110 + namesize
        pos += (4 - pos % 4) % 4
        pos += filesize
        pos += (4 - pos % 4) % 4
    assert "init" in names and "probes/link" in names
    if os.path.islink("/bin"):
        assert "bin" in names and arc.entries["/bin"][0] == "link"
    real_sh = os.path.realpath("/bin/sh").lstrip("/")
    assert real_sh in names


@pytest.mark.skipif(not all(os.path.exists(t) for t in (builder.BUSYBOX, builder.TCPDUMP))
                    or not (shutil.which("cc") or shutil.which("gcc")),
                    reason="the initramfs needs busybox-static, tcpdump and a C compiler (for the agent)")
def test_initramfs_is_the_cached_base_then_the_kernels_modules(tmp_path):
    build = tmp_path / "build"
    (build / "probes").mkdir(parents=True)
    shutil.copy("/bin/true", build / "probes" / "probe_true")
    module = tmp_path / "fake.ko"
    module.write_bytes(b"not really a module")
    cache = tmp_path / "cache"
    first = builder.build_initramfs(build, cache, tmp_path / "a.cpio", modules={"boot": [module]})
    second = builder.build_initramfs(build, cache, tmp_path / "b.cpio", modules={"boot": []})
    bases = list((cache / "initramfs").glob("base-*.cpio"))
    assert len(bases) == 1, "the second build reused the first one's base"
    base = bases[0].read_bytes()
    a, b = (tmp_path / "a.cpio").read_bytes(), (tmp_path / "b.cpio").read_bytes()
    assert a.startswith(base) and b.startswith(base)
    assert b"lib/modules/sockspec/fake.ko" in a[len(base):] and b"fake.ko" not in b
    assert first["modules"] == {"boot": ["fake.ko"]} and second["probes"] == first["probes"] == ["probe_true"]

    shutil.copy("/bin/false", build / "probes" / "probe_true")   # a rebuilt probe: a new base
    builder.build_initramfs(build, cache, tmp_path / "c.cpio")
    assert len(list((cache / "initramfs").glob("base-*.cpio"))) == 2
