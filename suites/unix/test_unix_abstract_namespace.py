"""unix(7) Address format: abstract names (a leading NUL byte) live in the network namespace, not the filesystem."""
import pytest

from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_abstract_namespace")
def test_unix_abstract_namespace(probe, family, expect):
    run = probe("--address", "abstract")
    expect.eq("bind_abstract_name_succeeds", run["bind"], "ok", "bind() to an abstract name succeeds")
    expect.eq("no_file_created_abstract_name", run["file_at_path"], "ENOENT",
              "no file is created for an abstract name")
    expect.true("proc_net_unix_lists_socket", run["listed_in_proc_net_unix"],
                "/proc/net/unix lists the socket as @name")
    expect.eq("name_taken_while_socket_bound", run["second_bind_while_bound"], "EADDRINUSE",
              "the name is taken while the socket is bound")
    expect.eq("client_connects_abstract_name", run["connect"], "ok", "a client connects to the abstract name")
    expect.eq("closing_socket_frees_name_nothing", run["bind_after_close"], "ok",
              "closing the socket frees the name at once: nothing to unlink")
    checks_unix.nothing_on_the_wire(run, expect)


@pytest.mark.behaviour("unix_abstract_namespace")
@pytest.mark.control("a filesystem path instead of an abstract name")
def test_unix_abstract_namespace_path_control(probe, family, expect):
    run = probe("--address", "path")
    expect.true("bind_ok_connect_ok", bool(run["bind"] == "ok" and run["connect"] == "ok"),
                "bind() and connect() succeed")
    expect.eq("bind_path_creates_socket_file", run["file_at_path"], "socket",
              "bind() to a path creates a socket file there")
    expect.eq("file_outlives_socket", run["file_after_close"], "socket", "the file outlives the socket")
    expect.eq("stale_file_keeps_name_taken", run["bind_after_close"], "EADDRINUSE",
              "the stale file keeps the name taken after close()")
    expect.eq("only_unlink_frees_path_name", run["bind_after_unlink"], "ok", "only unlink() frees a path name")
    checks_unix.nothing_on_the_wire(run, expect)
