// SCM_RIGHTS passes an open file descriptor over an AF_UNIX socket.
#include <signal.h>
#include <sys/stat.h>

#include "sockspec/scenario.h"
#include "sockspec/unix_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("unix_scm_rights",
      "The client makes a pipe and sends its read end over an AF_UNIX socketpair with\n"
      "sendmsg(SCM_RIGHTS). The server's recvmsg() installs a new descriptor (another\n"
      "number) for the same open file; the client closes its copy. fstat() shows the pipe's\n"
      "inode, and what the client writes into the pipe afterwards the server reads\n"
      "through it. With --fd-space 0 the server's recvmsg() has no room for descriptors:\n"
      "MSG_CTRUNC, and the kernel closes the descriptor it could not install, so the\n"
      "pipe has no reader left and the client's write() fails with EPIPE.");
  int fd_space = 1;
  probe.option("--fd-space", fd_space, "descriptors the server's control buffer holds (0: none)")
      .range(0, 16);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    signal(SIGPIPE, SIG_IGN);
    auto& server = p.server();
    auto& client = p.client();
    sockspec::UniqueFd cs, ss;
    sockspec::unix_socketpair(client, SOCK_STREAM, &cs, &ss).must();
    int pipefd[2] = {-1, -1};
    client.record("pipe", {}, "pipe(fds)", [&] { return ::pipe(pipefd); },
                  [&](long) { return nlohmann::json{{"fds", {pipefd[0], pipefd[1]}}}; }).must();
    sockspec::UniqueFd rd(pipefd[0]), wr(pipefd[1]);
    struct stat pipe_st{};
    client.record("fstat", {{"fd", rd.get()}}, "fstat(" + std::to_string(rd.get()) + ")",
                  [&] { return ::fstat(rd.get(), &pipe_st); },
                  [&](long) { return nlohmann::json{{"ino", pipe_st.st_ino}}; }).must();
    p.observe("sent_fd", rd.get());

    sockspec::send_message(client, cs.get(), "here is a pipe", {rd.get()}).must();

    // fd_space 0: a recvmsg() with no control buffer at all.
    sockspec::Message m = sockspec::recv_message(server, ss.get(), 100, 0, fd_space == 0 ? -1 : fd_space);
    p.observe("message", m.data);
    p.observe("msg_flags", sockspec::msg_flags_out(m.msg_flags));
    p.observe("received_fds", m.fds);
    client.close(rd);  // from here on only the server's copy (if any) keeps the pipe's read end open

    const std::string line = "written after passing";
    sockspec::SysResult w = client.record("write", {{"fd", wr.get()}, {"len", line.size()}},
                                          "write(" + std::to_string(wr.get()) + ", \"" + line + "\")",
                                          [&] { return ::write(wr.get(), line.data(), line.size()); });
    p.observe("pipe_write", w.ok() ? nlohmann::json(w.ret) : nlohmann::json(sockspec::errno_name(w.err)));
    if (!m.fds.empty()) {
      sockspec::UniqueFd got(m.fds[0]);
      struct stat got_st{};
      server.record("fstat", {{"fd", got.get()}}, "fstat(" + std::to_string(got.get()) + ")",
                    [&] { return ::fstat(got.get(), &got_st); },
                    [&](long) { return nlohmann::json{{"ino", got_st.st_ino}}; }).must();
      p.observe("same_pipe", got_st.st_ino == pipe_st.st_ino && S_ISFIFO(got_st.st_mode));
      char buf[100];
      sockspec::SysResult r = server.record("read", {{"fd", got.get()}}, "read(" + std::to_string(got.get()) + ", buf, 100)",
                                            [&] { return ::read(got.get(), buf, sizeof buf); },
                                            [&](long n) { return nlohmann::json{{"data", std::string(buf, n)}}; });
      p.observe("read_through_received_fd", r.ok() ? std::string(buf, r.ret) : sockspec::errno_name(r.err));
      server.close(got);
    }
    client.close(wr);
    client.close(cs);
    server.close(ss);
  });
}
