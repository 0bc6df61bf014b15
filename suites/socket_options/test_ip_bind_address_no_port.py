"""IP_BIND_ADDRESS_NO_PORT (ip(7)): bind() with port 0 defers the port to connect()."""
import pytest


@pytest.mark.behaviour("ip_bind_address_no_port")
def test_ip_bind_address_no_port(probe, family, expect):
    run = probe()
    expect.eq("bind_ok", run["bind"], "ok", "bind() to loopback port 0 succeeds")
    # Which port a stack assigned is context; that it assigned one is the behaviour.
    port = run["port_after_bind"]
    expect.eq("no_port_after_bind", port if port == 0 or not isinstance(port, int) else "a port", 0,
              "after bind() getsockname() shows port 0: none assigned yet")
    expect.eq("connect_ok", run["connect"], "ok", "connect() succeeds")
    expect.ne("port_assigned_at_connect", run["port_after_connect"], 0, "connect() assigns the port")
    syn = run.connection().segments[0]
    expect.eq("syn_from_connect_port", syn.src.port, run["port_after_connect"], "the SYN leaves from the port connect() assigned")


@pytest.mark.behaviour("ip_bind_address_no_port")
@pytest.mark.control("IP_BIND_ADDRESS_NO_PORT not set")
def test_ip_bind_address_no_port_control(probe, family, expect):
    """Without the option, bind() to port 0 picks the port at once, and connect() keeps it."""
    run = probe("--no-option")
    expect.ne("port_at_bind", run["port_after_bind"], 0, "bind() assigns a port at once")
    expect.eq("connect_keeps_port", run["port_after_connect"], run["port_after_bind"], "connect() keeps the port bind() picked")
