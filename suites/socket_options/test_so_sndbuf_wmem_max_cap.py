"""SO_SNDBUF caps a request at net.core.wmem_max before doubling it (sk_setsockopt)."""
import pytest

from sockspec.checks import socket_options as buffer


@pytest.mark.behaviour("so_sndbuf_wmem_max_cap")
def test_so_sndbuf_wmem_max_cap(probe, family, expect):
    buffer.capped(expect, probe("--request", buffer.GIB), "SO_SNDBUF", "net.core.wmem_max")


@pytest.mark.behaviour("so_sndbuf_wmem_max_cap")
@pytest.mark.control("a request under net.core.wmem_max")
def test_so_sndbuf_wmem_max_cap_small_request_control(probe, family, expect):
    """A request under the cap is doubled, not capped."""
    buffer.under_cap(expect, probe("--request", buffer.UNDER_CAP), "net.core.wmem_max")
