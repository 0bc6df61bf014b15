"""unix(7) SO_PEERCRED: the credentials of the peer process, as they were at connect(), listen() or socketpair()."""
import pytest

from sockspec import checks_unix


@pytest.mark.behaviour("unix_so_peercred")
def test_unix_so_peercred(probe, family):
    run = probe("--peer", "forked", "--child-uid", 65534)
    assert run["child_exit"] == 0, "the forked peer ran to its end"
    assert run["child_says"] == {"pid": run["child_pid"], "uid": 65534, "gid": 65534}
    assert run["peercred"] == run["child_says"], \
        "SO_PEERCRED on the accepted socket gives the connecting child's pid, uid and gid"
    assert run["peercred"]["uid"] != run["server_uid"], "the ids are the peer's, not the caller's own"
    assert run["child_sees_server_pid"] == run["server_pid"], \
        "the connecting side's SO_PEERCRED names the listening process"
    assert run.call("connect", "client")["ret"] == 0
    checks_unix.nothing_on_the_wire(run)


@pytest.mark.behaviour("unix_so_peercred")
@pytest.mark.control("a socketpair made before fork() instead of connect()")
def test_unix_so_peercred_socketpair_control(probe, family):
    """The credentials are fixed when the pair is made: the child holding the other
    end is not who SO_PEERCRED names."""
    run = probe("--peer", "socketpair", "--child-uid", 65534)
    assert run["child_says"]["pid"] == run["child_pid"]
    assert run["peercred"]["pid"] == run["server_pid"] != run["child_pid"], \
        "SO_PEERCRED of a socketpair gives the process that called socketpair(), not the child using the other end"
    assert run["peercred"]["uid"] == run["server_uid"]
    checks_unix.nothing_on_the_wire(run)
