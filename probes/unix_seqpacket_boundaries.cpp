// SOCK_SEQPACKET keeps message boundaries on a connection; SOCK_STREAM does not.
#include "sockspec/scenario.h"
#include "sockspec/unix_util.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("unix_seqpacket_boundaries",
      "An AF_UNIX listener of --type (seqpacket or stream) on an abstract name; a client\n"
      "connects and the server accepts. The client sends three messages before the server\n"
      "reads (AF_UNIX queues them in the peer's receive queue during send()). The server\n"
      "reads with a 4096-byte buffer until EAGAIN: SOCK_SEQPACKET returns one message per\n"
      "read, SOCK_STREAM all the bytes in one read. Then a 30-byte message is read with an\n"
      "8-byte buffer: SOCK_SEQPACKET sets MSG_TRUNC and discards the rest, SOCK_STREAM\n"
      "leaves the rest for the next read. No packets: AF_UNIX never reaches the wire.");
  std::string type_name = "seqpacket";
  probe.option("--type", type_name, "socket type: seqpacket or stream")
      .one_of({"seqpacket", "stream"});

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& server = p.server();
    auto& client = p.client();
    const int type = type_name == "seqpacket" ? SOCK_SEQPACKET : SOCK_STREAM;
    const auto addr = sockspec::UnixAddr::abstract(sockspec::unix_unique_name("seqpacket"));
    p.observe("unix_addr", addr.to_string());
    sockspec::UniqueFd lfd = sockspec::unix_listener(server, type, addr, 1);
    sockspec::UniqueFd cfd = client.socket(AF_UNIX, type).fd();
    sockspec::unix_connect(client, cfd.get(), addr).must();
    sockspec::UniqueFd sfd = server.accept(lfd.get()).fd();

    nlohmann::json sent = nlohmann::json::array();
    for (const std::string m : {"one", "message two", "the third message"}) {
      client.send(cfd.get(), m).must();
      sent.push_back(m.size());
    }
    p.observe("sent_lengths", sent);
    nlohmann::json reads = nlohmann::json::array();
    for (;;) {
      std::string data;
      sockspec::SysResult r = server.recv(sfd.get(), &data, 4096, MSG_DONTWAIT);
      if (!r.ok()) break;
      reads.push_back(r.ret);
    }
    p.observe("read_lengths", reads);

    client.send(cfd.get(), std::string(30, 'x')).must();
    sockspec::Message m = sockspec::recv_message(server, sfd.get(), 8, 0, -1);
    p.observe("short_read_returned", m.r.ret);
    p.observe("short_read_flags", sockspec::msg_flags_out(m.msg_flags));
    std::string rest;
    sockspec::SysResult after = server.recv(sfd.get(), &rest, 4096, MSG_DONTWAIT);
    p.observe("after_short_read", after.ok() ? nlohmann::json(after.ret) : nlohmann::json(sockspec::errno_name(after.err)));

    client.close(cfd);
    std::string none;
    p.observe("read_after_peer_close", server.recv(sfd.get(), &none, 4096).ret);
    server.close(sfd);
    server.close(lfd);
  });
}
