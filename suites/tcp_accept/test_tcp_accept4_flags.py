"""accept4() flags, and what plain accept() does not inherit (accept(2) NOTES:
on Linux the new socket does not inherit file status flags such as
O_NONBLOCK from the listener)."""
import pytest

from sockspec import checks


@pytest.mark.behaviour("tcp_accept4_flags")
def test_tcp_accept4_flags(probe, family, expect):
    run = probe()
    expect.eq("listener", run["listener"], {"O_NONBLOCK": True, "FD_CLOEXEC": True},
              "the listener is O_NONBLOCK and FD_CLOEXEC")
    expect.eq("accept4_sock_nonblock_sock_cloexec", run["accept4"], {"O_NONBLOCK": True, "FD_CLOEXEC": True},
              "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC): the new descriptor is non-blocking and close-on-exec")
    expect.eq("any_other_accept4_flag_einval", run["accept4_bad_flags"], "EINVAL", "any other accept4() flag: EINVAL")
    call = run.call("accept4", "server")
    expect.true("args_flags_sock_nonblock_sock", bool(call["args"]["flags"] == "SOCK_NONBLOCK|SOCK_CLOEXEC" and call["ret"] >= 0),
                "accept4(SOCK_NONBLOCK | SOCK_CLOEXEC) succeeds")
    for client in run["client_addrs"]:
        checks.three_way_handshake(run.connection(client, run["server_addr"]), expect)


@pytest.mark.behaviour("tcp_accept4_flags")
@pytest.mark.control("plain accept() on the same non-blocking, close-on-exec listener")
def test_tcp_accept4_flags_plain_accept_control(probe, family, expect):
    """The check 'the new descriptor is non-blocking and close-on-exec' fails
    for plain accept(): Linux gives it neither flag, whatever the listener has."""
    run = probe()
    expect.eq("accept", run["accept"], {"O_NONBLOCK": False, "FD_CLOEXEC": False},
              "plain accept() inherits neither O_NONBLOCK nor FD_CLOEXEC")
    expect.ge("accept_succeeds", run.call("accept", "server")["ret"], 0, "accept() succeeds")
