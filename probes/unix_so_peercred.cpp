// SO_PEERCRED gives the pid, uid and gid of the process at the other end of an AF_UNIX socket.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "sockspec/scenario.h"
#include "sockspec/unix_util.h"

namespace {
// The forked peer: drops to --child-uid, connects (or uses its end of the pair),
// tells the server who it is and what SO_PEERCRED says of the server, waits for EOF.
[[noreturn]] void child(sockspec::Actor& c, int fd, int parents_end, const sockspec::UnixAddr* addr, int uid) {
  try {
    if (parents_end >= 0) c.close(parents_end);  // or the EOF it waits for never comes
    if (uid >= 0) {
      c.record("setgid", {{"gid", uid}}, "setgid(" + std::to_string(uid) + ")", [&] { return ::setgid(uid); }).must();
      c.record("setuid", {{"uid", uid}}, "setuid(" + std::to_string(uid) + ")", [&] { return ::setuid(uid); }).must();
    }
    sockspec::UniqueFd own;
    if (addr) {
      own = c.socket(AF_UNIX, SOCK_STREAM).fd();
      sockspec::unix_connect(c, own.get(), *addr).must();
      fd = own.get();
    }
    sockspec::PeerCred server_cred;
    sockspec::unix_peercred(c, fd, &server_cred).must();
    char line[128];
    snprintf(line, sizeof line, "%d %d %d %ld", getpid(), getuid(), getgid(), server_cred.pid);
    c.send(fd, line).must();
    std::string rest;
    c.recv(fd, &rest, 16);  // the server's close
    _exit(0);
  } catch (...) {
    _exit(1);
  }
}
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("unix_so_peercred",
      "The server listens on an abstract AF_UNIX name and forks a child, which drops to\n"
      "--child-uid (and the same gid), connects, and sends its own pid, uid and gid. The\n"
      "server's getsockopt(SO_PEERCRED) on the accepted socket names the child: its pid\n"
      "and the ids it had when it called connect(). The child's SO_PEERCRED names the\n"
      "server (the credentials of listen()). With --peer socketpair the parent makes a\n"
      "socketpair before fork(): SO_PEERCRED then gives the credentials in effect at\n"
      "socketpair(), the parent's own, although the child holds the other end.");
  std::string peer = "forked";
  int child_uid = 65534;
  probe.option("--peer", peer, "forked (the child connects) or socketpair (made before fork)")
      .one_of({"forked", "socketpair"});
  probe.option("--child-uid", child_uid, "uid and gid the child takes before connecting; -1 keeps them")
      .range(-1, 1 << 30);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    p.observe("server_pid", getpid());
    p.observe("server_uid", getuid());
    const auto addr = sockspec::UnixAddr::abstract(sockspec::unix_unique_name("peercred"));
    sockspec::UniqueFd lfd, mine, theirs;
    if (peer == "forked") {
      lfd = sockspec::unix_listener(server, SOCK_STREAM, addr, 1);
    } else {
      sockspec::unix_socketpair(server, SOCK_STREAM, &mine, &theirs).must();
    }
    const pid_t pid = ::fork();
    if (pid == 0) child(client, theirs.get(), mine.get(), peer == "forked" ? &addr : nullptr, child_uid);
    server.record("fork", {}, "fork()", [&] { return pid; }).must();
    if (theirs) server.close(theirs);
    p.observe("child_pid", pid);
    if (peer == "forked") mine = server.accept(lfd.get()).fd();

    std::string said;
    while (said.find(' ') == std::string::npos || std::count(said.begin(), said.end(), ' ') < 3) {
      if (server.recv(mine.get(), &said, 128).must() == 0) break;
    }
    long c_pid = -1, c_uid = -1, c_gid = -1, c_seen_pid = -1;
    sscanf(said.c_str(), "%ld %ld %ld %ld", &c_pid, &c_uid, &c_gid, &c_seen_pid);
    p.observe("child_says", {{"pid", c_pid}, {"uid", c_uid}, {"gid", c_gid}});
    p.observe("child_sees_server_pid", c_seen_pid);
    sockspec::PeerCred cred;
    sockspec::unix_peercred(server, mine.get(), &cred).must();
    p.observe("peercred", {{"pid", cred.pid}, {"uid", cred.uid}, {"gid", cred.gid}});
    server.close(mine);
    int status = 0;
    server.record("waitpid", {{"pid", pid}}, "waitpid(" + std::to_string(pid) + ")",
                  [&] { return ::waitpid(pid, &status, 0); }).must();
    p.observe("child_exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    if (lfd) server.close(lfd);
  });
}
