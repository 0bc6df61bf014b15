// SO_SNDBUF: the kernel keeps twice the size asked for.
#include <sys/socket.h>

#include "sockspec/socket_buffers.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("so_sndbuf_doubled",
      "The client makes a TCP socket, reads SO_SNDBUF (the default), sets it to\n"
      "--request bytes and reads it back: Linux keeps twice the request, the rest\n"
      "being room for its own bookkeeping (socket(7)). With a --request under half the\n"
      "floor (SOCK_MIN_SNDBUF) the floor is kept instead, not twice the request.");
  int request = 20000;
  probe.option("--request", request, "bytes asked for with SO_SNDBUF").range(0, 1 << 30);
  return probe.main(argc, argv, [&](sockspec::Probe& p) { sockspec::ask_for_buffer(p, SO_SNDBUF, request); });
}
