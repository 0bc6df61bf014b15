// SO_RCVBUF: a request under the floor keeps the floor.
#include <sys/socket.h>

#include "sockspec/socket_buffers.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("so_rcvbuf_minimum",
      "The client makes a TCP socket and sets SO_RCVBUF to --request bytes, far\n"
      "below any useful size, and reads it back: Linux keeps its floor,\n"
      "SOCK_MIN_RCVBUF (the truesize of a minimal skb), whatever smaller size was\n"
      "asked for. A --request whose double is above the floor is doubled.");
  int request = 1;
  probe.option("--request", request, "bytes asked for with SO_RCVBUF").range(0, 1 << 30);
  return probe.main(argc, argv, [&](sockspec::Probe& p) { sockspec::ask_for_buffer(p, SO_RCVBUF, request); });
}
