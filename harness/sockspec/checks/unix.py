"""What the unix suite checks of every run: AF_UNIX traffic never reaches the wire."""
from __future__ import annotations


def nothing_on_the_wire(run, expect) -> None:
    """The capture on lo stays empty: AF_UNIX sockets do not use the network stack."""
    expect.eq("nothing_on_the_wire", len(run.packets), 0, "AF_UNIX traffic puts no packet on lo")
