"""What a probe could not see. A probe writes an observation it cannot obtain on
this stack as {"unobservable": "<reason>"} (harness/cpp observed.h), never as a
stand-in 0, "" or false; the driver reads it as an Unobservable."""
from __future__ import annotations

import dataclasses
from typing import Any

KEY = "unobservable"


@dataclasses.dataclass(frozen=True)
class Unobservable:
    """A value this stack cannot show, and why."""
    reason: str

    def __bool__(self) -> bool:
        # A missing value used as a condition is a bug in the suite, not a False.
        raise TypeError(f"an unobservable value ({self.reason}) has no truth value; check it with expect")


def is_marker(value: Any) -> bool:
    """The JSON form: an object whose only key is "unobservable", a string."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(KEY), str)


def wrap(value: Any) -> Any:
    """The observation with every JSON marker, at any depth, as an Unobservable."""
    if is_marker(value):
        return Unobservable(value[KEY])
    if isinstance(value, list):
        return [wrap(v) for v in value]
    if isinstance(value, dict):
        return {k: wrap(v) for k, v in value.items()}
    return value


def reason_in(value: Any) -> str | None:
    """The reason of the first Unobservable (or JSON marker) inside value, else None."""
    if isinstance(value, Unobservable):
        return value.reason
    if is_marker(value):
        return value[KEY]
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return None
    for v in items:
        reason = reason_in(v)
        if reason is not None:
            return reason
    return None


def to_json(value: Any) -> Any:
    """The value as results store it: Unobservable back to its JSON marker, tuples and sets as lists."""
    if isinstance(value, Unobservable):
        return {KEY: value.reason}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_json(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
