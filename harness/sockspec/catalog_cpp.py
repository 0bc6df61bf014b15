"""The catalog as a C++ table (build/generated/catalog_entries.cpp), so that
each probe's --help and JSON header take their title, claims and sources from
the catalog. CMake runs this whenever a catalog file changes:

    python3 -m sockspec.catalog_cpp OUT.cpp
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from . import catalog
from .errors import SockspecError


def cpp_string(text: str) -> str:
    # A JSON string is a valid C++ string literal for what the catalog holds
    # (quotes, backslashes and control characters escaped; UTF-8 kept).
    return json.dumps(text, ensure_ascii=False)


def cpp_strings(items) -> str:
    return "{" + ", ".join(cpp_string(i) for i in items) + "}"


def render(cat: catalog.Catalog) -> str:
    rows = [f"      {{{cpp_string(b.name)}, {cpp_string(b.title)}, {cpp_strings(b.claims)}, {cpp_strings(b.sources)}}},"
            for b in sorted(cat.behaviours.values(), key=lambda b: b.name)]
    return "\n".join([
        "// Generated from catalog/ by harness/sockspec/catalog_cpp.py at build time: do not edit.",
        '#include "sockspec/catalog.h"',
        "",
        "namespace sockspec {",
        "",
        "const CatalogEntry* find_catalog_entry(std::string_view name) {",
        "  static const std::vector<CatalogEntry> entries = {",
        *rows,
        "  };",
        "  for (const auto& entry : entries)",
        "    if (entry.name == name) return &entry;",
        "  return nullptr;",
        "}",
        "",
        "}  // namespace sockspec",
        "",
    ])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m sockspec.catalog_cpp OUT.cpp", file=sys.stderr)
        return 2
    try:
        text = render(catalog.load())
    except SockspecError as e:
        print(f"catalog_cpp: {e}", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    # Rewritten only when it changes, so that a catalog edit that does not
    # touch titles, claims or sources rebuilds nothing.
    if not out.exists() or out.read_text() != text:
        tmp = out.with_name(out.name + f".tmp-{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
