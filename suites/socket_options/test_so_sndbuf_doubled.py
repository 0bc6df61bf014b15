"""SO_SNDBUF keeps twice the size asked for (socket(7))."""
import pytest

from sockspec.checks import socket_options as buffer


@pytest.mark.behaviour("so_sndbuf_doubled")
def test_so_sndbuf_doubled(probe, family, expect):
    buffer.doubled(expect, probe("--request", 20000), "SO_SNDBUF", 20000)


@pytest.mark.behaviour("so_sndbuf_doubled")
@pytest.mark.control("a request of 1 byte, under the floor")
def test_so_sndbuf_doubled_floor_control(probe, family, expect):
    """Asked for 1 byte, the kernel keeps its floor instead of twice the request."""
    run = probe("--request", 1)
    expect.ne("tiny_request_not_doubled", run["kept"], 2, "a 1-byte request is not doubled to 2")
