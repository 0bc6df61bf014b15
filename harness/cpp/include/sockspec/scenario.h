// Steps many scenarios share: a listener on loopback, a connected pair.
// Each step is made of recorded calls, so it shows in the narrative like any other.
#pragma once

#include <functional>

#include "sockspec/actor.h"
#include "sockspec/datagram.h"
#include "sockspec/probe.h"
#include "sockspec/rto_min.h"

namespace sockspec {

struct Listener {
  UniqueFd fd;
  SockAddr addr;  // where it listens: loopback and the port the kernel chose
};

// socket(), bind() to loopback port 0, [configure(fd)], listen(backlog), getsockname().
Listener listen_on_loopback(Probe& p, int backlog,
                            const std::function<void(int)>& configure = nullptr);

// socket(), [configure(fd)], a blocking connect(); the connected descriptor.
UniqueFd connect_to(Actor& client, const SockAddr& addr,
                    const std::function<void(int)>& configure = nullptr);

struct Connection {
  UniqueFd client;
  UniqueFd server;  // the descriptor accept() returned
  SockAddr client_addr;
  SockAddr server_addr;
};

// A client connects to the listener and the server accepts it. Records the
// endpoints as the observations "client_addr" and "server_addr", which the
// driver uses to find the connection in the capture.
Connection establish(Probe& p, Listener& listener);

// As listen_on_loopback(), but on the given port (0: the kernel chooses), with
// SO_REUSEADDR: a fixed port lets a Fault rule name the listener.
Listener listen_on_port(Probe& p, uint16_t port, int backlog = 1,
                        const std::function<void(int)>& configure = nullptr);

// A probe's --port option: the listener's port, fixed so that a fault rule can
// name it (0: the kernel chooses); listen() is listen_on_port() on it.
struct PortOption {
  int port = 0;
  explicit PortOption(Probe& probe);
  Listener listen(Probe& p) const { return listen_on_port(p, static_cast<uint16_t>(port)); }
};

// A loss scenario's options: --port, so that a fault rule can name the
// listener, and --rto-min-ms, a known retransmission floor. connected_pair()
// sets the floor (observed as rto_min_via), then connects on that port.
struct LossyPairOptions {
  PortOption port;
  RtoMinFlag rto_min;
  explicit LossyPairOptions(Probe& probe) : port(probe), rto_min(probe) {}
  Connection connected_pair(Probe& p) const;
};

// A connected pair on that listener: the client socket is configured by
// configure_client before connect(); the accepted socket inherits the
// listener's options. Observes client_addr and server_addr.
Connection establish_with(Probe& p, Listener& listener, const std::function<void(int)>& configure_client);

// listen_on_loopback(p, 1), establish(), then the listener is closed: the
// connected pair most teardown scenarios start from.
Connection connected_pair(Probe& p);
// The same on a listener the probe made (listen_on_port() for a fixed port).
Connection connected_pair(Probe& p, Listener listener);

// A non-blocking socket, [bound to `local`], connect()ed to `to`: the
// descriptor, what connect() returned, and the local address it got.
struct StartedConnect {
  UniqueFd fd;
  SysResult connect;
  SockAddr local;
};
StartedConnect start_connect(Actor& a, const SockAddr& to, const SockAddr* local = nullptr);

// A server and a client socket of the server's and the client's, each bound
// with udp_bound(); their addresses observed as server_addr and client_addr.
struct DatagramPair {
  BoundUdp server;
  BoundUdp client;
};
DatagramPair udp_pair(Probe& p);

// A connected pair whose server end has SO_RCVBUF rcvbuf (set on the listener,
// inherited by the accepted socket) and whose client has SO_SNDBUF sndbuf:
// buffers a sender can fill.
Connection connected_with_buffers(Probe& p, int rcvbuf, int sndbuf);

// Makes fd non-blocking and sends until send() fails (EAGAIN once the peer's
// window and the sender's buffer are full); the bytes send() accepted.
long send_until_full(Actor& sender, int fd);

// A client (its socket configured by configure_client before connect())
// connects to the listener and closes first; the server reads end of file and
// closes: the client's end is left in TIME-WAIT (waited for through sock_diag).
// Observes client_addr and server_addr; returns them.
struct Endpoints {
  SockAddr client_addr;
  SockAddr server_addr;
};
Endpoints leave_client_time_wait(Probe& p, Listener& listener,
                                 const std::function<void(int)>& configure_client = nullptr);

// The client sends `bytes` bytes in one send() and the server reads until it
// has them all (or end of file); returns how many it read.
size_t deliver(Probe& p, Connection& conn, size_t bytes);

// A connection to a listener on `port` (0: any; fixed so that a fault can
// match the server's segments) over which the client delivers `bytes` bytes;
// observes "received", the bytes the server read.
Connection delivered_on_port(Probe& p, uint16_t port, size_t bytes);

// A probe's --port (the server's, so that a fault can drop its ACKs) and
// --bytes (what the client delivers) options, for delivered_on_port().
struct DeliveryOptions {
  int port = 0;
  int bytes = 100;
  explicit DeliveryOptions(Probe& probe);
  Connection deliver(Probe& p) const {
    return delivered_on_port(p, static_cast<uint16_t>(port), static_cast<size_t>(bytes));
  }
};

// The client sends `bytes` bytes, the server reads them all and answers with as
// many, which the client reads: data segments in both directions.
void request_response(Probe& p, Connection& conn, size_t bytes);

// The server closes first and the client, once it has read end of file,
// closes second: every packet of the client's end, its last ACK included,
// then comes from its own socket. (Closing first, the client's end could
// become a timewait socket before the server's FIN, and a timewait socket
// answers with the defaults, not the socket's options.)
void server_closes_first(Probe& p, Connection& conn);

// Records the endpoints of a connection as observations (see establish()).
void observe_endpoints(Probe& p, const SockAddr& client, const SockAddr& server);

// The client's UDP socket (udp_bound()) that will send to `to`; observes
// client_addr and server_addr.
BoundUdp udp_client_to(Probe& p, const SockAddr& to);

}  // namespace sockspec
