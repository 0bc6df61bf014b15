// TCP_NOTSENT_LOWAT: poll() reports POLLOUT only while few enough bytes wait unsent.
#include "sockspec/calls.h"
#include "sockspec/scenario.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("tcp_notsent_lowat_pollout",
      "The client sets TCP_NOTSENT_LOWAT to --lowat and TCP_CORK, so that what it writes\n"
      "stays unsent (fewer bytes than a segment). It writes three times, 500, 1000 and\n"
      "1500 bytes, and after each asks SIOCOUTQNSD (bytes unsent) and poll(POLLOUT, 0),\n"
      "the send buffer having room all along. It then clears TCP_CORK, the server reads\n"
      "the 3000 bytes, and the client polls for POLLOUT again. With --lowat 0 the client\n"
      "does not set TCP_NOTSENT_LOWAT.");
  int lowat = 2000;
  probe.option("--lowat", lowat, "TCP_NOTSENT_LOWAT on the client (0: leave it)").range(0, 1 << 20);

  return probe.main(argc, argv, [&](sockspec::Probe& p) {
    auto& client = p.client();
    sockspec::Connection conn = sockspec::connected_pair(p);
    const int cfd = conn.client.get();
    if (lowat) client.setsockopt(cfd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, lowat).must();
    client.setsockopt(cfd, IPPROTO_TCP, TCP_CORK, 1).must();
    nlohmann::json polls = nlohmann::json::array();
    for (int size : {500, 1000, 1500}) {
      client.send(cfd, std::string(size, 'a')).must();
      short revents = 0;
      client.poll(cfd, POLLOUT, 0, &revents);
      polls.push_back({{"unsent", sockspec::outq_not_sent(client, cfd)}, {"poll", sockspec::poll_events_name(revents)}});
    }
    p.observe("corked", polls);
    client.setsockopt(cfd, IPPROTO_TCP, TCP_CORK, 0).must();
    std::string got;
    while (got.size() < 3000)
      if (p.server().recv(conn.server.get(), &got, 1 << 16).must() == 0) break;
    short revents = 0;
    client.poll(cfd, POLLOUT, 5000, &revents);
    p.observe("poll_after_uncork", sockspec::poll_events_name(revents));
    p.observe("unsent_after_uncork", sockspec::outq_not_sent(client, cfd));
    client.close(conn.client);
    p.server().close(conn.server);
  });
}
