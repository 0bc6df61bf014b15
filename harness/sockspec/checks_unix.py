"""What the unix suite checks of every run: AF_UNIX traffic never reaches the wire."""
from __future__ import annotations


def nothing_on_the_wire(run) -> None:
    """The capture on lo stays empty: AF_UNIX sockets do not use the network stack."""
    assert run.packets == [], f"AF_UNIX traffic put {len(run.packets)} packets on lo"
