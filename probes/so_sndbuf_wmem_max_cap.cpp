// SO_SNDBUF: a request is capped at net.core.wmem_max before it is doubled.
#include <sys/socket.h>

#include "sockspec/socket_buffers.h"

int main(int argc, char** argv) {
  sockspec::Probe probe("so_sndbuf_wmem_max_cap",
      "The client makes a TCP socket, sets SO_SNDBUF to --request bytes (by default\n"
      "1 GiB, above any net.core.wmem_max) and reads it back: Linux caps the request\n"
      "at the namespace's net.core.wmem_max, then doubles it. The probe reads\n"
      "wmem_max too. A --request under the cap is doubled, not capped.");
  int request = 1073741824;
  probe.option("--request", request, "bytes asked for with SO_SNDBUF").range(0, 1 << 30);
  return probe.main(argc, argv, [&](sockspec::Probe& p) { sockspec::ask_for_buffer(p, SO_SNDBUF, request); });
}
