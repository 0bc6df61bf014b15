"""unix(7) Address format: abstract names (a leading NUL byte) live in the network namespace, not the filesystem."""
import pytest

from sockspec import checks_unix


@pytest.mark.behaviour("unix_abstract_namespace")
def test_unix_abstract_namespace(probe, family):
    run = probe("--address", "abstract")
    assert run["bind"] == "ok", "bind() to an abstract name succeeds"
    assert run["file_at_path"] == "ENOENT", "no file is created for an abstract name"
    assert run["listed_in_proc_net_unix"] is True, "/proc/net/unix lists the socket as @name"
    assert run["second_bind_while_bound"] == "EADDRINUSE", "the name is taken while the socket is bound"
    assert run["connect"] == "ok", "a client connects to the abstract name"
    assert run["bind_after_close"] == "ok", "closing the socket frees the name at once: nothing to unlink"
    checks_unix.nothing_on_the_wire(run)


@pytest.mark.behaviour("unix_abstract_namespace")
@pytest.mark.control("a filesystem path instead of an abstract name")
def test_unix_abstract_namespace_path_control(probe, family):
    run = probe("--address", "path")
    assert run["bind"] == "ok" and run["connect"] == "ok"
    assert run["file_at_path"] == "socket", "bind() to a path creates a socket file there"
    assert run["file_after_close"] == "socket", "the file outlives the socket"
    assert run["bind_after_close"] == "EADDRINUSE", "the stale file keeps the name taken after close()"
    assert run["bind_after_unlink"] == "ok", "only unlink() frees a path name"
    checks_unix.nothing_on_the_wire(run)
