// SEED-9: protocol 0 and IPPROTO_TCP make the same socket (SO_TYPE,
// SO_PROTOCOL, SO_DOMAIN); a protocol that does not fit the type fails.
#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("socket_type_options",
      "The probe makes SOCK_STREAM sockets with protocol 0 and with --protocol (IPPROTO_TCP\n"
      "by default), SOCK_DGRAM sockets with 0 and IPPROTO_UDP, and reads SO_TYPE,\n"
      "SO_PROTOCOL and SO_DOMAIN of each (socket(7)). Both stream sockets then connect()\n"
      "to a listener, so the capture shows whether both speak TCP. It also tries the\n"
      "mismatched pairs SOCK_STREAM + IPPROTO_UDP and SOCK_DGRAM + IPPROTO_TCP and\n"
      "reports their errno (net/ipv4/af_inet.c inet_create(): EPROTONOSUPPORT).");
  int stream_protocol = IPPROTO_TCP;
  probe.option("--protocol", stream_protocol,
               "protocol number of the second SOCK_STREAM socket (6 IPPROTO_TCP, 262 IPPROTO_MPTCP)")
      .range(0, 65535);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& client = p.client();
    struct Made {
      std::string key;
      int type, protocol;
    };
    const Made wanted[] = {{"stream_0", SOCK_STREAM, 0},
                           {"stream_protocol", SOCK_STREAM, stream_protocol},
                           {"dgram_0", SOCK_DGRAM, 0},
                           {"dgram_udp", SOCK_DGRAM, IPPROTO_UDP},
                           {"stream_udp", SOCK_STREAM, IPPROTO_UDP},
                           {"dgram_tcp", SOCK_DGRAM, IPPROTO_TCP}};
    std::map<std::string, sockspec::UniqueFd> fds;
    nlohmann::json sockets = nlohmann::json::object();
    for (const Made& m : wanted) {
      sockspec::SysResult r = client.socket(p.af(), m.type, m.protocol);
      nlohmann::json entry = {{"socket", sockspec::outcome(r)}};
      if (r.ok()) {
        fds[m.key] = r.fd();
        int type = -1, protocol = -1, domain = -1;
        client.getsockopt(fds[m.key].get(), SOL_SOCKET, SO_TYPE, &type).must();
        client.getsockopt(fds[m.key].get(), SOL_SOCKET, SO_PROTOCOL, &protocol).must();
        client.getsockopt(fds[m.key].get(), SOL_SOCKET, SO_DOMAIN, &domain).must();
        entry.update({{"SO_TYPE", sockspec::socktype_name(type)},
                      {"SO_PROTOCOL", sockspec::protocol_name(protocol)},
                      {"SO_DOMAIN", sockspec::domain_name(domain)}});
      }
      sockets[m.key] = entry;
    }
    p.observe("sockets", sockets);

    // Both stream sockets connect: on the wire, each is a TCP connection.
    sockspec::Listener listener = sockspec::listen_on_loopback(p, 4);
    nlohmann::json clients = nlohmann::json::object();
    for (const char* key : {"stream_0", "stream_protocol"}) {
      if (!fds.count(key)) continue;
      sockspec::SysResult c = client.connect(fds[key].get(), listener.addr);
      sockspec::SockAddr local;
      if (c.ok()) client.getsockname(fds[key].get(), &local).must();
      clients[key] = {{"connect", sockspec::outcome(c)}, {"addr", c.ok() ? local.to_string() : ""}};
      if (c.ok()) p.server().accept(listener.fd.get()).fd();
    }
    p.observe("connections", clients);
    p.observe("server_addr", listener.addr.to_string());
    if (clients.contains("stream_0")) p.observe("client_addr", clients["stream_0"]["addr"]);
    for (auto& [key, fd] : fds) client.close(fd);
    p.server().close(listener.fd);
  });
}
