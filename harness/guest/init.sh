#!/bin/sh
# sockspec guest init (busybox sh, PID 1): mount the basics, then hand the
# request channel to the agent, which stays PID 1 and powers the guest off
# when the host closes the channel: the virtio serial port "sockspec.agent",
# or the second serial port (ttyS1; ttyS0 is the kernel console) on a kernel
# without a virtio console driver.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /tmp
/bin/busybox hostname sockspec-guest
/bin/busybox ip link set lo up
exec /sbin/sockspec-agent serve virtio:sockspec.agent /dev/ttyS1 </dev/null >/dev/console 2>&1
