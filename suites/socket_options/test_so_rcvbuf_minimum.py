"""SO_RCVBUF's floor, SOCK_MIN_RCVBUF (include/net/sock.h): a minimal skb's truesize."""
import pytest

from sockspec.checks import socket_options as buffer

# Both doubled stay under the floor.
TINY, SMALL = 1, 1000


@pytest.mark.behaviour("so_rcvbuf_minimum")
def test_so_rcvbuf_minimum(probe, family, expect):
    buffer.floor(expect, probe("--request", TINY), probe("--request", SMALL), "SO_RCVBUF", SMALL, 2048)


@pytest.mark.behaviour("so_rcvbuf_minimum")
@pytest.mark.control("a request whose double is above the floor")
def test_so_rcvbuf_minimum_large_request_control(probe, family, expect):
    """A request above the floor is doubled, so it does not keep the floor."""
    floor, large = probe("--request", TINY), probe("--request", 20000)
    expect.ne("large_request_not_floor", large["kept"], floor["kept"], "a 20000-byte request does not keep the floor")
