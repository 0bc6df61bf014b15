"""Named checks: the suites' vocabulary for an expectation, in the manner of the
kernel selftests' ksft_eq family.

    expect.eq("queue_capped", run["queued"], backlog + 1,
              "backlog+1 connections complete without accept()", claim="SEED-12")

Every check of a test is judged (a failed one does not stop the test); the
plugin fails the test at its end, naming every failed check. Each check has
an id unique within its behaviour and the same on every stack, the sentence
it asserts, the expected and the seen value, the claim it is evidence for
(`claim=`, or `refutes=` when the kernel doing what is checked contradicts
the seed) and a source (default: the behaviour's sources in the catalog).
A check whose seen (or expected) value holds an Unobservable is
`unobservable`, not `fail`.
The same id checked again in one test (a loop over clients) is one check:
it fails if any evaluation fails.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Iterable

from . import observed

OUTCOMES = ("pass", "fail", "unobservable")
ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")


class ChecksFailed(AssertionError):
    """Raised at the end of a test (or by stop_if_failed) when checks failed."""


@dataclasses.dataclass
class Check:
    id: str
    says: str
    relation: str
    expected: Any
    seen: Any
    outcome: str
    claim: str | None
    refutes: str | None
    source: str | None
    reason: str | None = None
    evaluations: int = 1
    failures: int = 0

    def line(self) -> str:
        return f"{self.id}: {self.says}: expected {describe(self.relation, self.expected)}, seen {short(self.seen)}"

    def to_json(self, default_source: str) -> dict[str, Any]:
        return {"id": self.id, "says": self.says, "outcome": self.outcome, "relation": self.relation,
                "expected": observed.to_json(self.expected), "seen": observed.to_json(self.seen),
                "reason": self.reason, "claim": self.claim, "refutes": self.refutes,
                "source": self.source or default_source, "evaluations": self.evaluations,
                "failures": self.failures}


def short(value: Any, limit: int = 160) -> str:
    text = repr(observed.to_json(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(relation: str, expected: Any) -> str:
    """'== 3', '>= 900000000', 'in [...]', 'between 1 and 2', 'true'."""
    if relation == "between":
        return f"between {expected[0]!r} and {expected[1]!r}"
    if relation in ("true", "false"):
        return relation
    if relation == "holds":
        return str(expected)
    return f"{relation} {short(expected)}"


class Expect:
    """The checks of one test. `claims` are the behaviour's claims (catalog):
    a check may be tied only to one of them."""

    def __init__(self, claims: Iterable[str] = (), on_check: Callable[[Check], None] | None = None):
        self.claims = tuple(claims)
        self.checks: dict[str, Check] = {}
        self._on_check = on_check

    # ------------------------------------------------------------ vocabulary

    def eq(self, id: str, seen: Any, expected: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "==", expected, seen, lambda: seen == expected, tie)

    def ne(self, id: str, seen: Any, unexpected: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "!=", unexpected, seen, lambda: seen != unexpected, tie)

    def ge(self, id: str, seen: Any, low: Any, says: str, **tie) -> bool:
        return self._judge(id, says, ">=", low, seen, lambda: seen >= low, tie)

    def le(self, id: str, seen: Any, high: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "<=", high, seen, lambda: seen <= high, tie)

    def gt(self, id: str, seen: Any, low: Any, says: str, **tie) -> bool:
        return self._judge(id, says, ">", low, seen, lambda: seen > low, tie)

    def lt(self, id: str, seen: Any, high: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "<", high, seen, lambda: seen < high, tie)

    def between(self, id: str, seen: Any, low: Any, high: Any, says: str, **tie) -> bool:
        """low <= seen <= high."""
        return self._judge(id, says, "between", [low, high], seen, lambda: low <= seen <= high, tie)

    def is_in(self, id: str, seen: Any, allowed: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "in", list(allowed), seen, lambda: seen in allowed, tie)

    def true(self, id: str, seen: Any, says: str, **tie) -> bool:
        """seen is True (a bool, not merely truthy: a stand-in 1 or "x" is not True)."""
        return self._judge(id, says, "true", True, seen, lambda: seen is True, tie)

    def false(self, id: str, seen: Any, says: str, **tie) -> bool:
        return self._judge(id, says, "false", False, seen, lambda: seen is False, tie)

    def that(self, id: str, ok: bool, says: str, *, seen: Any, expected: str, **tie) -> bool:
        """A condition the suite computed; `expected` says in words what would pass."""
        return self._judge(id, says, "holds", expected, seen, lambda: bool(ok), tie)

    # ------------------------------------------------------------ outcomes

    def failed(self) -> list[Check]:
        return [c for c in self.checks.values() if c.outcome == "fail"]

    def failure_message(self) -> str:
        failed = self.failed()
        head = f"{len(failed)} check{'s' if len(failed) != 1 else ''} failed: " + ", ".join(c.id for c in failed)
        return "\n".join([head] + [f"  {c.line()}" for c in failed])

    def stop_if_failed(self) -> None:
        """Ends the test here when a check failed: for the few steps that need
        an earlier check to hold (the connection the rest of the test reads)."""
        if self.failed():
            raise ChecksFailed(self.failure_message())

    def finish(self) -> None:
        if self.failed():
            raise ChecksFailed(self.failure_message())

    # ------------------------------------------------------------ judging

    def _judge(self, id: str, says: str, relation: str, expected: Any, seen: Any,
               predicate: Callable[[], bool], tie: dict[str, Any]) -> bool:
        unknown = set(tie) - {"claim", "refutes", "source"}
        if unknown:
            raise TypeError(f"check {id}: unknown argument(s) {', '.join(sorted(unknown))}")
        if not isinstance(id, str) or not ID.fullmatch(id):
            raise ValueError(f"check id {id!r} is not lower_snake_case (dots separate a helper's prefix)")
        for key in ("claim", "refutes"):
            if tie.get(key) is not None and tie[key] not in self.claims:
                raise ValueError(f"check {id}: {key}={tie[key]!r} is not one of this behaviour's claims "
                                 f"in the catalog ({', '.join(self.claims) or 'none'})")
        # Either side may hold the observation ("LAST-ACK" in run["client_states"]).
        reason = observed.reason_in(seen) or observed.reason_in(expected)
        if reason is not None:
            outcome = "unobservable"
        else:
            try:
                outcome = "pass" if predicate() else "fail"
            except TypeError as e:  # e.g. None >= 3: the value is not what the check compares
                outcome, reason = "fail", f"cannot compare: {e}"
        previous = self.checks.get(id)
        if previous is not None:
            if previous.says != says or previous.relation != relation:
                raise ValueError(f"check id {id!r} is used for two different checks in one test")
            previous.evaluations += 1
            if outcome == "fail":
                if previous.failures == 0:  # keep the first failing evaluation's values
                    previous.expected, previous.seen, previous.reason = expected, seen, reason
                previous.failures += 1
                previous.outcome = "fail"
            elif outcome == "unobservable" and previous.outcome == "pass":
                previous.outcome, previous.seen, previous.reason = "unobservable", seen, reason
            check = previous
        else:
            check = Check(id, says, relation, expected, seen, outcome, tie.get("claim"), tie.get("refutes"),
                          tie.get("source"), reason, failures=int(outcome == "fail"))
            self.checks[id] = check
        if self._on_check is not None:
            self._on_check(check)
        return outcome == "pass"
