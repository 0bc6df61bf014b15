"""SO_RCVBUF caps a request at net.core.rmem_max before doubling it (sk_setsockopt)."""
import pytest

from sockspec.checks import socket_options as buffer


@pytest.mark.behaviour("so_rcvbuf_rmem_max_cap")
def test_so_rcvbuf_rmem_max_cap(probe, family, expect):
    buffer.capped(expect, probe("--request", buffer.GIB), "SO_RCVBUF", "net.core.rmem_max")


@pytest.mark.behaviour("so_rcvbuf_rmem_max_cap")
@pytest.mark.control("a request under net.core.rmem_max")
def test_so_rcvbuf_rmem_max_cap_small_request_control(probe, family, expect):
    """A request under the cap is doubled, not capped."""
    buffer.under_cap(expect, probe("--request", buffer.UNDER_CAP), "net.core.rmem_max")
