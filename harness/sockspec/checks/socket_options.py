"""What the socket option suites ask: a buffer size the kernel kept
(`buffer.*` checks, the same for SO_SNDBUF and SO_RCVBUF), and the hop
limits a connection's packets carried."""
from __future__ import annotations

from typing import Any

from ..expect import Expect
from ..flow import Connection
from ..observed import Unobservable

GIB = 1 << 30
# Under any default net.core.wmem_max / rmem_max (212992 is the smallest).
UNDER_CAP = 100000


def twice(value: Any) -> Any:
    """value * 2, as the kernel doubles a buffer size; an unobservable value stays unobservable."""
    return value if isinstance(value, Unobservable) else value * 2


def doubled(expect: Expect, run, option: str, request: int) -> None:
    """The buffer kept is twice the request."""
    expect.eq("buffer.setsockopt_ok", run["set"], "ok", f"setsockopt({option}) succeeds")
    expect.eq("buffer.kept_twice_request", run["kept"], 2 * request,
              f"getsockopt({option}) returns twice the size asked for")
    expect.ne("buffer.default_differs", run["default"], run["kept"], "the setsockopt() changed the socket's buffer")


def floor(expect: Expect, tiny, small, option: str, small_request: int, floor_at_least: int) -> None:
    """Two requests below the floor (runs `tiny` and `small`) keep the same size, the floor."""
    expect.eq("buffer.setsockopt_ok", [tiny["set"], small["set"]], ["ok", "ok"], f"setsockopt({option}) succeeds")
    expect.eq("buffer.same_floor_both_requests", tiny["kept"], small["kept"],
              "two requests whose doubles are under the floor keep the same size: the floor")
    expect.gt("buffer.floor_above_doubled_request", small["kept"], 2 * small_request,
              "the floor is above twice the larger of the two requests")
    expect.ge("buffer.floor_holds_2048_byte_skbs", small["kept"], floor_at_least,
              "the floor holds the kernel's minimal skbs of 2048 bytes of data (include/net/sock.h)")


def capped(expect: Expect, run, option: str, cap_sysctl: str) -> None:
    """A 1 GiB request keeps twice the namespace's cap."""
    expect.eq("buffer.setsockopt_ok", run["set"], "ok", f"setsockopt({option}) succeeds: too large is capped, not refused")
    expect.lt("buffer.kept_below_doubled_request", run["kept"], 2 * GIB, "the buffer kept is less than twice the 1 GiB asked for")
    expect.eq("buffer.kept_twice_cap", run["kept"], twice(run["cap"]), f"the buffer kept is twice the namespace's {cap_sysctl}")


def under_cap(expect: Expect, run, cap_sysctl: str) -> None:
    """A request under the cap is doubled, not capped."""
    expect.eq("buffer.small_request_doubled", run["kept"], 2 * UNDER_CAP, "a request under the cap is doubled")
    expect.ne("buffer.not_twice_cap", run["kept"], twice(run["cap"]), f"which is not twice {cap_sysctl}")


def hop_limits(conn: Connection) -> tuple[list[int], list[int]]:
    """The TTLs (hop limits) the client's packets carried, and the server's."""
    def sent(from_client: bool) -> list[int]:
        return sorted({s.hop_limit for s in conn.segments if conn.from_client(s) == from_client})
    return sent(True), sent(False)
