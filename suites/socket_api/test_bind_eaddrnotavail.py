"""bind(2) EADDRNOTAVAIL: "A nonexistent interface was requested or the
requested address was not local" (net/ipv4/af_inet.c
inet_addr_valid_or_nonlocal(), net/ipv6/af_inet6.c __inet6_bind()), unless
net.ipv4.ip_nonlocal_bind / net.ipv6.ip_nonlocal_bind (ip(7), ipv6(7))."""
import pytest

ADDRESS = {"inet": "192.0.2.1", "inet6": "2001:db8::1"}


@pytest.mark.behaviour("bind_eaddrnotavail")
def test_bind_eaddrnotavail(probe, family):
    run = probe()
    assert run["address"] == ADDRESS[family]
    assert run["bind"] == "EADDRNOTAVAIL", f"{ADDRESS[family]} is not an address of the namespace"
    assert run.call("bind")["errno_name"] == "EADDRNOTAVAIL"
    assert run["bound"].endswith(":0"), "the socket stays unbound"
    if family == "inet":
        assert run["bind_127_0_0_2"] == "ok", "127.0.0.2 is local: all of 127/8 is on lo"
    assert run.packets == [], "nothing is sent to the address"


@pytest.mark.behaviour("bind_eaddrnotavail")
@pytest.mark.control("net.ipv4.ip_nonlocal_bind=1 and net.ipv6.ip_nonlocal_bind=1 in the namespace")
def test_bind_eaddrnotavail_nonlocal_bind_control(probe, family):
    """The same bind() succeeds once the namespace allows non-local binds."""
    run = probe(sysctls={"net.ipv4.ip_nonlocal_bind": 1, "net.ipv6.ip_nonlocal_bind": 1})
    assert run["bind"] == "ok", "a non-local bind is allowed"
    assert run["bound"].rsplit(":", 1)[0].strip("[]") == ADDRESS[family], "getsockname() shows the non-local address"
    assert run.packets == [], "nothing is sent to the address"
