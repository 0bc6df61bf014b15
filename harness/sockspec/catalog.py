"""The catalog: the one place a behaviour's title, claims and sources are
written (catalog/behaviours/<area>.toml), and the seed's claims (catalog/claims.toml).
Suites, results, docs/behaviours.md and the report all read it from here."""
from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from pathlib import Path

from .errors import UsageError
from .paths import CATALOG_DIR

FAMILIES = ("inet", "inet6", "unix")
# Observation keys that are context by their name alone, for every behaviour:
# addresses and ports, pids, descriptors, times and durations.
CONTEXT_BY_NAME = re.compile(r"(^|_)(addr|addrs|port|ports|pid|pids|fd|fds)$|(_ms|_us|_ns|_s|_real|_mono)$")


@dataclasses.dataclass(frozen=True)
class Claim:
    id: str
    says: str
    not_applicable: str | None = None


@dataclasses.dataclass(frozen=True)
class Behaviour:
    name: str
    title: str
    area: str
    claims: tuple[str, ...]
    sources: tuple[str, ...]
    families: tuple[str, ...]
    linux: str
    # Observation keys (and check ids) that are context: shown, never compared.
    context: tuple[str, ...] = ()
    # Observation keys and check ids whose value depends on timing: compared as distributions.
    timing: tuple[str, ...] = ()
    # One end is the scripted peer (harness/cpp sockspec/peer.h): a tun device
    # in the run's namespace, captured on every interface.
    peer: bool = False

    def kind_of(self, key: str) -> str:
        """'context', 'timing' or 'behaviour' for an observation key or a check id."""
        if key in self.context or CONTEXT_BY_NAME.search(key):
            return "context"
        if key in self.timing:
            return "timing"
        return "behaviour"

    def probe_command(self) -> str:
        flags = f" --family {self.families[0]}" if self.families and self.families[0] != "unix" else ""
        return f"scripts/sockspec probe {self.name}{flags}"


@dataclasses.dataclass(frozen=True)
class Catalog:
    behaviours: dict[str, Behaviour]
    claims: dict[str, Claim]

    def behaviour(self, name: str) -> Behaviour:
        try:
            return self.behaviours[name]
        except KeyError:
            raise UsageError(f"behaviour {name!r} is not in catalog/behaviours/") from None

    def behaviours_for_claim(self, claim: str) -> list[Behaviour]:
        return [b for b in self.behaviours.values() if claim in b.claims]


def _load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise UsageError(f"{path}: cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from None


def _strings(path: Path, name: str, table: dict, key: str, required: bool = True) -> tuple[str, ...]:
    value = table.get(key, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or (required and not value):
        raise UsageError(f"{path}: [{name}] {key} must be a non-empty list of strings")
    return tuple(value)


def load(directory: Path = CATALOG_DIR) -> Catalog:
    claims_path = directory / "claims.toml"
    claims = {}
    for cid, table in _load_toml(claims_path).items():
        if not re.fullmatch(r"SEED-\d+", cid) or not isinstance(table, dict) or not isinstance(table.get("says"), str):
            raise UsageError(f"{claims_path}: [{cid}] needs an id SEED-n and a 'says' string")
        claims[cid] = Claim(cid, table["says"], table.get("not_applicable"))
    behaviours = {}
    files = sorted((directory / "behaviours").glob("*.toml"))
    if not files:
        raise UsageError(f"{directory / 'behaviours'}: no behaviour files")
    for behaviours_path in files:
        for name, table in _load_toml(behaviours_path).items():
            if name in behaviours:
                raise UsageError(f"{behaviours_path}: [{name}] is already defined in another file")
            behaviours[name] = _behaviour(behaviours_path, name, table, claims)
    return Catalog(behaviours, claims)


def _behaviour(behaviours_path: Path, name: str, table, claims: dict) -> Behaviour:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not isinstance(table, dict):
        raise UsageError(f"{behaviours_path}: [{name}] is not a behaviour table named like a probe")
    for key in ("title", "area", "linux"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise UsageError(f"{behaviours_path}: [{name}] needs a non-empty '{key}' string")
    b_claims = _strings(behaviours_path, name, table, "claims", required=False)
    for c in b_claims:
        if c.startswith("SEED-") and c not in claims:
            raise UsageError(f"{behaviours_path}: [{name}] names {c}, which claims.toml does not have")
    families = _strings(behaviours_path, name, table, "families")
    for f in families:
        if f not in FAMILIES:
            raise UsageError(f"{behaviours_path}: [{name}] family {f!r} is not one of {', '.join(FAMILIES)}")
    return Behaviour(name, table["title"], table["area"], b_claims,
                     _strings(behaviours_path, name, table, "sources"), families, table["linux"],
                     _strings(behaviours_path, name, table, "context", required=False),
                     _strings(behaviours_path, name, table, "timing", required=False),
                     _flag(behaviours_path, name, table, "peer"))


def _flag(behaviours_path: Path, name: str, table, key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise UsageError(f"{behaviours_path}: [{name}] '{key}' must be true or false")
    return value




@functools.lru_cache(maxsize=1)
def default() -> Catalog:
    return load()
