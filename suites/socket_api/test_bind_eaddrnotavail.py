"""bind(2) EADDRNOTAVAIL: "A nonexistent interface was requested or the
requested address was not local" (net/ipv4/af_inet.c
inet_addr_valid_or_nonlocal(), net/ipv6/af_inet6.c __inet6_bind()), unless
net.ipv4.ip_nonlocal_bind / net.ipv6.ip_nonlocal_bind (ip(7), ipv6(7))."""
import pytest

ADDRESS = {"inet": "192.0.2.1", "inet6": "2001:db8::1"}


@pytest.mark.behaviour("bind_eaddrnotavail")
def test_bind_eaddrnotavail(probe, family, expect):
    run = probe()
    expect.eq("address", run["address"], ADDRESS[family], "the probe tried the family's non-local address")
    expect.eq("not_address_namespace", run["bind"], "EADDRNOTAVAIL", "bind() to an address that is not the namespace's fails with EADDRNOTAVAIL")
    expect.eq("bind_eaddrnotavail", run.call("bind")["errno_name"], "EADDRNOTAVAIL",
              "bind() to an address no interface has fails with EADDRNOTAVAIL")
    expect.true("socket_stays_unbound", bool(run["bound"].endswith(":0")), "the socket stays unbound")
    if family == "inet":
        expect.eq("loopback_net_is_local", run["bind_127_0_0_2"], "ok", "127.0.0.2 is local: all of 127/8 is on lo")
    expect.eq("nothing_sent_address", run.packets, [], "nothing is sent to the address")


@pytest.mark.behaviour("bind_eaddrnotavail")
@pytest.mark.control("net.ipv4.ip_nonlocal_bind=1 and net.ipv6.ip_nonlocal_bind=1 in the namespace")
def test_bind_eaddrnotavail_nonlocal_bind_control(probe, family, expect):
    """The same bind() succeeds once the namespace allows non-local binds."""
    run = probe(sysctls={"net.ipv4.ip_nonlocal_bind": 1, "net.ipv6.ip_nonlocal_bind": 1})
    expect.eq("non_local_bind_allowed", run["bind"], "ok", "a non-local bind is allowed")
    expect.eq("getsockname_shows_non_local_address", run["bound"].rsplit(":", 1)[0].strip("[]"), ADDRESS[family],
              "getsockname() shows the non-local address")
    expect.eq("nothing_sent_address", run.packets, [], "nothing is sent to the address")
