// An abstract AF_UNIX name (leading NUL) binds without a file; a path name creates a socket file.
#include <sys/stat.h>
#include <unistd.h>

#include "sockspec/scenario.h"
#include "sockspec/unix_util.h"

namespace {

// stat(path), recorded: "socket", "other" or the errno.
std::string file_kind(sockspec::Actor& a, const std::string& path) {
  struct stat st{};
  sockspec::SysResult r = a.record("stat", {{"path", path}}, "stat(\"" + path + "\")", [&] { return ::stat(path.c_str(), &st); },
                                   [&](long) { return nlohmann::json{{"socket", S_ISSOCK(st.st_mode)}}; });
  return r.ok() ? (S_ISSOCK(st.st_mode) ? "socket" : "other") : sockspec::errno_name(r.err);
}
}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("unix_abstract_namespace",
      "--address abstract: bind() to a name whose first byte is NUL. No file appears (the\n"
      "same name, as a path in a fresh directory, does not exist), /proc/net/unix lists\n"
      "it as @name, a second bind() to it gets EADDRINUSE, a client connect()s to it, and\n"
      "once the socket is closed the name is free again. --address path: bind() to a path\n"
      "in a fresh directory creates a socket file there; after close() the file stays and\n"
      "a new bind() gets EADDRINUSE until it is unlink()ed. Abstract names belong to the\n"
      "network namespace; there are no permissions on them.");
  std::string kind = "abstract";
  probe.option("--address", kind, "abstract or path")
      .one_of({"abstract", "path"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    char tmpl[] = "/tmp/sockspec-unix-XXXXXX";
    server.record("mkdtemp", {}, "mkdtemp(\"/tmp/sockspec-unix-XXXXXX\")",
                  [&] { return ::mkdtemp(tmpl) ? 0 : -1; }, [&](long) { return nlohmann::json{{"dir", tmpl}}; }).must();
    const std::string dir = tmpl;
    const std::string name = sockspec::unix_unique_name("abstract");
    const std::string path = dir + "/" + name;
    const auto addr = kind == "abstract" ? sockspec::UnixAddr::abstract(name) : sockspec::UnixAddr::path(path);
    p.observe("unix_addr", kind == "abstract" ? "@<name>" : "<dir>/<name>");

    sockspec::UniqueFd s1 = server.socket(AF_UNIX, SOCK_STREAM).fd();
    p.observe("bind", sockspec::outcome(sockspec::unix_bind(server, s1.get(), addr)));
    p.observe("file_at_path", file_kind(server, path));
    p.observe("listed_in_proc_net_unix", sockspec::unix_proc_lists(addr.to_string()));
    server.listen(s1.get(), 1).must();

    sockspec::UniqueFd s2 = server.socket(AF_UNIX, SOCK_STREAM).fd();
    p.observe("second_bind_while_bound", sockspec::outcome(sockspec::unix_bind(server, s2.get(), addr)));
    sockspec::UniqueFd c = client.socket(AF_UNIX, SOCK_STREAM).fd();
    p.observe("connect", sockspec::outcome(sockspec::unix_connect(client, c.get(), addr)));
    client.close(c);
    server.close(s1);
    p.observe("file_after_close", file_kind(server, path));

    sockspec::UniqueFd s3 = server.socket(AF_UNIX, SOCK_STREAM).fd();
    p.observe("bind_after_close", sockspec::outcome(sockspec::unix_bind(server, s3.get(), addr)));
    if (kind == "path") {
      server.record("unlink", {{"path", path}}, "unlink(\"" + path + "\")", [&] { return ::unlink(path.c_str()); });
      sockspec::UniqueFd s4 = server.socket(AF_UNIX, SOCK_STREAM).fd();
      p.observe("bind_after_unlink", sockspec::outcome(sockspec::unix_bind(server, s4.get(), addr)));
      server.close(s4);
      server.record("unlink", {{"path", path}}, "unlink(\"" + path + "\")", [&] { return ::unlink(path.c_str()); });
    }
    server.close(s3);
    server.close(s2);
    server.record("rmdir", {{"path", dir}}, "rmdir(\"" + dir + "\")", [&] { return ::rmdir(dir.c_str()); });
  });
}
