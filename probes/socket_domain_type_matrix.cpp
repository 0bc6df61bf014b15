// SEED-8, SEED-9: which socket(domain, type, protocol) calls Linux accepts,
// and the errno of the others, with and without CAP_NET_RAW.
#include <linux/capability.h>

#include <thread>

#include "sockspec/socket_api_util.h"
#include "sockspec/scenario.h"

namespace {

struct Named {
  int value;
  const char* name;
};

const Named kDomains[] = {{AF_INET, "AF_INET"}, {AF_INET6, "AF_INET6"}, {AF_UNIX, "AF_UNIX"}};
const Named kTypes[] = {{SOCK_STREAM, "SOCK_STREAM"}, {SOCK_DGRAM, "SOCK_DGRAM"},
                        {SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {SOCK_RAW, "SOCK_RAW"},
                        {SOCK_RDM, "SOCK_RDM"}, {SOCK_PACKET, "SOCK_PACKET"}};
const Named kProtocols[] = {{0, "0"}, {IPPROTO_TCP, "IPPROTO_TCP"}, {IPPROTO_UDP, "IPPROTO_UDP"}};

// Every socket() of the matrix made by one actor: "AF_INET SOCK_STREAM 0" -> "ok" or
// the errno; for those that succeed, the socket's SO_TYPE, SO_DOMAIN and SO_PROTOCOL.
void run_matrix(sockspec::Actor& actor, nlohmann::json& outcomes, nlohmann::json& created) {
  for (const Named& d : kDomains)
    for (const Named& t : kTypes)
      for (const Named& proto : kProtocols) {
        const std::string key = std::string(d.name) + " " + t.name + " " + proto.name;
        sockspec::SysResult r = actor.socket(d.value, t.value, proto.value);
        outcomes[key] = sockspec::outcome(r);
        if (!r.ok()) continue;
        sockspec::UniqueFd fd = r.fd();
        int type = -1, domain = -1, protocol = -1;
        actor.getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &type);
        actor.getsockopt(fd.get(), SOL_SOCKET, SO_DOMAIN, &domain);
        actor.getsockopt(fd.get(), SOL_SOCKET, SO_PROTOCOL, &protocol);
        created[key] = {{"type", sockspec::socktype_name(type)},
                        {"domain", sockspec::domain_name(domain)},
                        {"protocol", protocol}};
        actor.close(fd);
      }
}

}  // namespace

int main(int argc, char** argv) {
  sockspec::Probe probe("socket_domain_type_matrix",
      "The probe calls socket() for every domain (AF_INET, AF_INET6, AF_UNIX) x type\n"
      "(SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW, SOCK_RDM, SOCK_PACKET) x\n"
      "protocol (0, IPPROTO_TCP, IPPROTO_UDP), first with the probe's capabilities, then\n"
      "from a thread that dropped CAP_NET_RAW with capset(2) (capabilities are per thread).\n"
      "It reports \"ok\" or the errno for each, and for each socket made its SO_TYPE,\n"
      "SO_DOMAIN and SO_PROTOCOL. The --family flag is accepted but the matrix covers\n"
      "every domain. Sources: socket(2), net/socket.c __sock_create(), net/ipv4/af_inet.c\n"
      "inet_create(), net/unix/af_unix.c unix_create(), net/packet/af_packet.c.");
  bool skip_unprivileged = false;
  probe.flag("--privileged-only", skip_unprivileged, "do not repeat the matrix without CAP_NET_RAW");

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    sockspec::Actor& privileged = p.actor("privileged");
    p.observe("privileged_has_cap_net_raw", sockspec::socket_api::has_capability(CAP_NET_RAW));
    nlohmann::json outcomes = nlohmann::json::object(), created = nlohmann::json::object();
    run_matrix(privileged, outcomes, created);
    p.observe("privileged", outcomes);
    p.observe("privileged_created", created);
    if (skip_unprivileged) return;

    // A thread of its own, so that dropping the capability leaves the rest of the probe as it was.
    nlohmann::json u_outcomes = nlohmann::json::object(), u_created = nlohmann::json::object();
    bool dropped = false, still_has = true;
    std::thread worker([&] {
      sockspec::Actor& unprivileged = p.actor("unprivileged");
      dropped = sockspec::socket_api::drop_capability(unprivileged, CAP_NET_RAW, "CAP_NET_RAW").ok();
      still_has = sockspec::socket_api::has_capability(CAP_NET_RAW);
      if (dropped && !still_has) run_matrix(unprivileged, u_outcomes, u_created);
    });
    worker.join();
    p.observe("capset_dropped_cap_net_raw", dropped && !still_has);
    p.observe("unprivileged", u_outcomes);
    p.observe("unprivileged_created", u_created);
  });
}
