"""unix(7) SO_PEERCRED: the credentials of the peer process, as they were at connect(), listen() or socketpair()."""
import pytest

from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_so_peercred")
def test_unix_so_peercred(probe, family, expect):
    run = probe("--peer", "forked", "--child-uid", 65534)
    expect.eq("forked_peer_ran_end", run["child_exit"], 0, "the forked peer ran to its end")
    expect.eq("child_says", run["child_says"], {"pid": run["child_pid"], "uid": 65534, "gid": 65534},
              "the child reports its pid, uid 65534 and gid 65534")
    expect.eq("peercred_accepted_socket_gives_connecting", run["peercred"], run["child_says"],
              "SO_PEERCRED on the accepted socket gives the connecting child's pid, uid and gid")
    expect.ne("ids_peers_not_callers_own", run["peercred"]["uid"], run["server_uid"],
              "the ids are the peer's, not the caller's own")
    expect.true("connecting_sides_peercred_names_listening", run["child_sees_server_pid"] == run["server_pid"],
                "the connecting side's SO_PEERCRED names the listening process")
    expect.eq("connect_succeeds", run.call("connect", "client")["ret"], 0, "connect() succeeds")
    checks_unix.nothing_on_the_wire(run, expect)


@pytest.mark.behaviour("unix_so_peercred")
@pytest.mark.control("a socketpair made before fork() instead of connect()")
def test_unix_so_peercred_socketpair_control(probe, family, expect):
    """The credentials are fixed when the pair is made: the child holding the other
    end is not who SO_PEERCRED names."""
    run = probe("--peer", "socketpair", "--child-uid", 65534)
    expect.true("child_says_pid", run["child_says"]["pid"] == run["child_pid"], "the child reports its own pid")
    expect.true("peercred_socketpair_gives_process_called", run["peercred"]["pid"] == run["server_pid"] != run["child_pid"],
                "SO_PEERCRED of a socketpair gives the process that called socketpair(), not the child using the other end")
    expect.eq("peercred_uid", run["peercred"]["uid"], run["server_uid"], "SO_PEERCRED names the server's uid")
    checks_unix.nothing_on_the_wire(run, expect)
