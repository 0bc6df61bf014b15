#!/bin/sh
# sockspec guest init (busybox sh, PID 1): mount the basics, then hand the
# request channel to the agent, which stays PID 1 and powers the guest off
# when the host closes the channel. The channel is named on the kernel's
# command line (sockspec.agent=virtio:NAME, a virtio serial port, or a
# device such as /dev/ttyS1; ttyS0 is the kernel console).
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /tmp
/bin/busybox hostname sockspec-guest
/bin/busybox ip link set lo up
channel=/dev/ttyS1
for word in $(/bin/busybox cat /proc/cmdline); do
  case "$word" in sockspec.agent=*) channel=${word#sockspec.agent=} ;; esac
done
exec /sbin/sockspec-agent serve "$channel" </dev/null >/dev/console 2>&1
