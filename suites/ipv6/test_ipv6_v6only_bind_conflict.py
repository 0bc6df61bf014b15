"""ipv6(7) IPV6_V6ONLY, RFC 3493 §5.3: a dual-stack wildcard bind covers the IPv4 wildcard too."""
import pytest


@pytest.mark.behaviour("ipv6_v6only_bind_conflict")
def test_ipv6_v6only_bind_conflict(probe, family, expect):
    run = probe("--v6only", 0)
    expect.eq("dual_stack_bind_conflicts_ipv4_first", run["ipv6_bind_after_ipv4"], "EADDRINUSE",
              "without IPV6_V6ONLY, [::]:p cannot be bound while 0.0.0.0:p is")
    expect.eq("dual_stack_bind_conflicts_ipv6_first", run["ipv4_bind_after_ipv6"], "EADDRINUSE",
              "and 0.0.0.0:p cannot be bound while a dual-stack [::]:p is")


@pytest.mark.behaviour("ipv6_v6only_bind_conflict")
@pytest.mark.control("IPV6_V6ONLY set on the IPv6 sockets")
def test_ipv6_v6only_bind_conflict_v6only_control(probe, family, expect):
    run = probe("--v6only", 1)
    expect.eq("v6only_bind_beside_ipv4", run["ipv6_bind_after_ipv4"], "ok",
              "with IPV6_V6ONLY, [::]:p binds beside 0.0.0.0:p")
    expect.eq("ipv4_bind_beside_v6only", run["ipv4_bind_after_ipv6"], "ok",
              "and 0.0.0.0:p binds beside an IPv6-only [::]:p")
