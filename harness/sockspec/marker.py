"""The end-of-capture marker, which the capture sends and the decoder drops.

After the probe exits, one UDP datagram with this payload goes to port 9 on
loopback. When it is in the file, so is every packet before it (the kernel
hands packets to the capture socket in order, and -U flushes each one), and
tcpdump can be stopped without losing any. harness/guest/agent.c sends the
same bytes in a guest.
"""

MARKER = b"sockspec-capture-end"
MARKER_PORT = 9
