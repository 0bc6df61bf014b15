"""unix(7) SCM_RIGHTS, recvmsg(2) MSG_CTRUNC: passing an open descriptor between processes' fd tables."""
import pytest

from sockspec.checks import unix as checks_unix


@pytest.mark.behaviour("unix_scm_rights")
def test_unix_scm_rights(probe, family, expect):
    run = probe("--fd-space", 1)
    expect.true("message_here_pipe_msg_flags", bool(run["message"] == "here is a pipe" and run["msg_flags"] == "0"),
                "the message arrives whole, without MSG_CTRUNC")
    expect.eq("recvmsg_installs_descriptor_scm_rights", len(run["received_fds"]), 1,
              "recvmsg() installs one descriptor from the SCM_RIGHTS message")
    expect.ne("received_descriptor_new_entry_receivers", run["received_fds"][0], run["sent_fd"],
              "the received descriptor is a new entry in the receiver's table, not the sender's number")
    expect.true("fstat_received_descriptor_shows_same", run["same_pipe"],
                "fstat() on the received descriptor shows the same pipe (inode)")
    expect.eq("sender_closed_copy_passed_descriptor", run["pipe_write"], len("written after passing"),
              "after the sender closed its copy, the passed descriptor still holds the pipe's read end open")
    expect.true("what_sender_writes_into_pipe", run["read_through_received_fd"] == "written after passing",
                "what the sender writes into the pipe is read through the received descriptor")
    sendmsg = run.call("sendmsg", "client")
    expect.eq("sendmsg_args_scm_rights", sendmsg["args"]["scm_rights"], [run["sent_fd"]],
              "sendmsg() passes the pipe's descriptor")
    checks_unix.nothing_on_the_wire(run, expect)


@pytest.mark.behaviour("unix_scm_rights")
@pytest.mark.control("the receiver's recvmsg() has no control buffer")
def test_unix_scm_rights_no_control_buffer_control(probe, family, expect):
    run = probe("--fd-space", 0)
    expect.eq("data_arrives", run["message"], "here is a pipe", "the data still arrives")
    expect.eq("ancillary_data_did_not_fit", run["msg_flags"], "MSG_CTRUNC",
              "the ancillary data did not fit: MSG_CTRUNC")
    expect.eq("no_descriptor_installed", run["received_fds"], [], "no descriptor is installed")
    expect.eq("kernel_closed_descriptor_could_not", run["pipe_write"], "EPIPE",
              "the kernel closed the descriptor it could not install: the pipe has no reader left (EPIPE)")
    checks_unix.nothing_on_the_wire(run, expect)
