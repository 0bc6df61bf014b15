"""unix(7) SCM_RIGHTS, recvmsg(2) MSG_CTRUNC: passing an open descriptor between processes' fd tables."""
import pytest

from sockspec import checks_unix


@pytest.mark.behaviour("unix_scm_rights")
def test_unix_scm_rights(probe, family):
    run = probe("--fd-space", 1)
    assert run["message"] == "here is a pipe" and run["msg_flags"] == "0"
    assert len(run["received_fds"]) == 1, "recvmsg() installs one descriptor from the SCM_RIGHTS message"
    assert run["received_fds"][0] != run["sent_fd"], \
        "the received descriptor is a new entry in the receiver's table, not the sender's number"
    assert run["same_pipe"] is True, "fstat() on the received descriptor shows the same pipe (inode)"
    assert run["pipe_write"] == len("written after passing"), \
        "after the sender closed its copy, the passed descriptor still holds the pipe's read end open"
    assert run["read_through_received_fd"] == "written after passing", \
        "what the sender writes into the pipe is read through the received descriptor"
    sendmsg = run.call("sendmsg", "client")
    assert sendmsg["args"]["scm_rights"] == [run["sent_fd"]]
    checks_unix.nothing_on_the_wire(run)


@pytest.mark.behaviour("unix_scm_rights")
@pytest.mark.control("the receiver's recvmsg() has no control buffer")
def test_unix_scm_rights_no_control_buffer_control(probe, family):
    run = probe("--fd-space", 0)
    assert run["message"] == "here is a pipe", "the data still arrives"
    assert run["msg_flags"] == "MSG_CTRUNC", "the ancillary data did not fit: MSG_CTRUNC"
    assert run["received_fds"] == [], "no descriptor is installed"
    assert run["pipe_write"] == "EPIPE", \
        "the kernel closed the descriptor it could not install: the pipe has no reader left (EPIPE)"
    checks_unix.nothing_on_the_wire(run)
