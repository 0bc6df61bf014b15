/*
 * sockspec-agent: runs probe invocations for the qemu and gVisor targets.
 *
 * Modes
 *   sockspec-agent serve DEVICE [FALLBACK]
 *                                 qemu guest: PID 1 after /init.  Opens DEVICE
 *                                 (virtio:NAME is the virtio serial port qemu
 *                                 named so), else FALLBACK (a serial port),
 *                                 sends a hello, then serves
 *                                 requests until told to power off.  Every
 *                                 "run" request gets a fresh network namespace.
 *   sockspec-agent serve stdio    gVisor: the same, reading requests on stdin
 *                                 and replying on stdout, for one sandbox
 *                                 that serves many runs.
 *   sockspec-agent once           gVisor: reads one request on stdin, writes
 *                                 one reply on stdout, in the current network
 *                                 namespace (a fresh sandbox: for runs that set
 *                                 sysctls, which gVisor keeps in the sandbox's
 *                                 first namespace only).
 *   sockspec-agent capture IF F   an AF_PACKET capturer writing a nanosecond
 *                                 pcap to F, for stacks where libpcap cannot
 *                                 run (gVisor has no PACKET_MMAP).  Prints
 *                                 "listening on IF" on stderr like tcpdump,
 *                                 flushes per packet, stops on SIGINT.
 *
 * Wire format (both directions, 8-bit clean):
 *   request:  "SOCKSPEC-REQ <len>\n" then <len> bytes: NUL-terminated fields.
 *             The first field is the command ("run", "info", "poweroff"); the
 *             others are "key=value": id=, timeout_ms=, capture=0|1,
 *             capturer=tcpdump|packet, capture_arg=FLAG (repeat: tcpdump's flags),
 *             netns=0|1, sysctl=KEY=VALUE (repeat),
 *             loopback_routes=0|1 (add routes to lo: 127.0.0.0/8, ::1/128),
 *             nft=RULESET (fault rules, loaded with nft -f in the run's namespace),
 *             arg=ARGV-ELEMENT (repeat, argv[0] is the program path).
 *   reply:    "\nSOCKSPEC-REPLY <len>\n" then <len> bytes: records of
 *             NAME NUL DECIMAL-LENGTH NUL BYTES.
 *
 * Capture protocol (same as the host target): the capturer is started and
 * must print "listening on" before the probe starts; after the probe exits a
 * UDP datagram "sockspec-capture-end" goes to 127.0.0.1:9, the agent waits
 * until that datagram is in the pcap file (inotify, else re-reads), then
 * SIGINTs the capturer and waits for it.  No fixed sleeps anywhere.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MARKER "sockspec-capture-end"
#define MAX_FIELDS 1024
#define CAPTURE_START_TIMEOUT_MS 20000
#define MARKER_TIMEOUT_MS 20000
#define MARKER_RESEND_MS 1000
#define CAPTURE_STOP_TIMEOUT_MS 20000

/* ------------------------------------------------------------ buffers */

struct buf {
    char *p;
    size_t n, cap;
};

static void die(const char *what)
{
    fprintf(stderr, "sockspec-agent: %s: %s\n", what, strerror(errno));
    exit(3);
}

static void buf_add(struct buf *b, const void *d, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            die("realloc");
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        buf_add(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static int read_file(const char *path, struct buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char tmp[65536];
    for (;;) {
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        buf_add(b, tmp, (size_t)k);
    }
    close(fd);
    return 0;
}

static int write_all(int fd, const void *d, size_t n)
{
    const char *p = d;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ------------------------------------------------------------ replies */

static void rep_bytes(struct buf *r, const char *name, const void *d, size_t n)
{
    char num[32];
    int k = snprintf(num, sizeof num, "%zu", n);
    buf_add(r, name, strlen(name) + 1);
    buf_add(r, num, (size_t)k + 1);
    buf_add(r, d, n);
}

static void rep_str(struct buf *r, const char *name, const char *s)
{
    rep_bytes(r, name, s, strlen(s));
}

static void rep_int(struct buf *r, const char *name, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    rep_str(r, name, num);
}

static void rep_file(struct buf *r, const char *name, const char *path)
{
    struct buf b = {0};
    if (read_file(path, &b) == 0)
        rep_bytes(r, name, b.p ? b.p : "", b.n);
    free(b.p);
}

static int send_reply(int fd, struct buf *r)
{
    char head[64];
    int k = snprintf(head, sizeof head, "\nSOCKSPEC-REPLY %zu\n", r->n);
    if (write_all(fd, head, (size_t)k) < 0 || write_all(fd, r->p ? r->p : "", r->n) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------ requests */

struct request {
    const char *cmd;
    long long id;
    long long timeout_ms;
    int capture;
    int netns;
    int loopback_routes;
    const char *capturer;
    const char *capture_args[MAX_FIELDS];   /* tcpdump's flags, from the host */
    int ncapture_arg;
    const char *nft;   /* fault rules for nft -f, applied in the run's namespace */
    const char *sysctls[MAX_FIELDS];
    int nsysctl;
    char *argv[MAX_FIELDS + 1];
    int argc;
};

/* Reads "SOCKSPEC-REQ <len>\n<payload>"; skips anything before the magic. */
static int read_request(int fd, struct buf *payload)
{
    static const char magic[] = "SOCKSPEC-REQ ";
    char line[64];
    size_t n = 0;
    payload->n = 0;
    for (;;) {
        char c;
        ssize_t k = read(fd, &c, 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        if (c == '\n') {
            line[n] = 0;
            if (n > sizeof magic - 1 && memcmp(line, magic, sizeof magic - 1) == 0)
                break;
            n = 0;
            continue;
        }
        if (n < sizeof line - 1)
            line[n++] = c;
    }
    size_t len = strtoull(line + sizeof magic - 1, NULL, 10);
    char tmp[65536];
    while (len) {
        ssize_t k = read(fd, tmp, len < sizeof tmp ? len : sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        buf_add(payload, tmp, (size_t)k);
        len -= (size_t)k;
    }
    return 0;
}

static int parse_request(struct buf *payload, struct request *q)
{
    memset(q, 0, sizeof *q);
    q->timeout_ms = 60000;
    q->capturer = "tcpdump";
    char *p = payload->p, *end = payload->p + payload->n;
    int first = 1;
    while (p < end) {
        char *f = p;
        p += strlen(p) + 1;
        if (first) {
            q->cmd = f;
            first = 0;
        } else if (!strncmp(f, "id=", 3)) {
            q->id = atoll(f + 3);
        } else if (!strncmp(f, "timeout_ms=", 11)) {
            q->timeout_ms = atoll(f + 11);
        } else if (!strncmp(f, "capture=", 8)) {
            q->capture = atoi(f + 8);
        } else if (!strncmp(f, "netns=", 6)) {
            q->netns = atoi(f + 6);
        } else if (!strncmp(f, "loopback_routes=", 16)) {
            q->loopback_routes = atoi(f + 16);
        } else if (!strncmp(f, "capturer=", 9)) {
            q->capturer = f + 9;
        } else if (!strncmp(f, "capture_arg=", 12)) {
            if (q->ncapture_arg < MAX_FIELDS)
                q->capture_args[q->ncapture_arg++] = f + 12;
        } else if (!strncmp(f, "nft=", 4)) {
            q->nft = f + 4;
        } else if (!strncmp(f, "sysctl=", 7)) {
            if (q->nsysctl < MAX_FIELDS)
                q->sysctls[q->nsysctl++] = f + 7;
        } else if (!strncmp(f, "arg=", 4)) {
            if (q->argc < MAX_FIELDS)
                q->argv[q->argc++] = f + 4;
        }
    }
    q->argv[q->argc] = NULL;
    return q->cmd ? 0 : -1;
}

/* ------------------------------------------------------------ helpers */

static long long now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int remaining_ms(long long deadline)
{
    long long left = (deadline - now_ns(CLOCK_MONOTONIC)) / 1000000LL;
    if (left < 0)
        return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    return rc;
}

/* One route to lo (scope link, main table), as runsc gives the sandbox's
 * first network namespace: 127.0.0.0/8 and ::1/128.  gVisor gives a new
 * namespace a loopback with its addresses but no routes. */
static int add_loopback_route(int family, const void *dst, int dst_len, int ifindex, char *err, size_t errlen)
{
    struct {
        struct nlmsghdr nh;
        struct rtmsg rt;
        char attrs[64];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_type = RTM_NEWROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    req.nh.nlmsg_seq = 1;
    req.rt.rtm_family = (unsigned char)family;
    req.rt.rtm_dst_len = (unsigned char)dst_len;
    req.rt.rtm_table = RT_TABLE_MAIN;
    req.rt.rtm_scope = RT_SCOPE_LINK;
    req.rt.rtm_type = RTN_UNICAST;
    size_t len = NLMSG_LENGTH(sizeof req.rt);
    size_t addr_len = family == AF_INET ? 4 : 16;
    struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(len));
    a->rta_type = RTA_DST;
    a->rta_len = (unsigned short)RTA_LENGTH(addr_len);
    memcpy(RTA_DATA(a), dst, addr_len);
    len = NLMSG_ALIGN(len) + RTA_ALIGN(a->rta_len);
    a = (struct rtattr *)((char *)&req + len);
    a->rta_type = RTA_OIF;
    a->rta_len = RTA_LENGTH(sizeof(int));
    memcpy(RTA_DATA(a), &ifindex, sizeof(int));
    req.nh.nlmsg_len = (unsigned)(len + RTA_ALIGN(a->rta_len));

    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) {
        snprintf(err, errlen, "netlink socket: %s", strerror(errno));
        return -1;
    }
    char reply[1024];
    ssize_t n = -1;
    if (send(s, &req, req.nh.nlmsg_len, 0) >= 0)
        n = recv(s, reply, sizeof reply, 0);
    int rc = -1;
    if (n < 0) {
        snprintf(err, errlen, "RTM_NEWROUTE: %s", strerror(errno));
    } else {
        struct nlmsghdr *h = (struct nlmsghdr *)reply;
        if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
            int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (e == 0)
                rc = 0;
            else
                snprintf(err, errlen, "RTM_NEWROUTE: %s", strerror(e));
        } else {
            snprintf(err, errlen, "RTM_NEWROUTE: no acknowledgement");
        }
    }
    close(s);
    return rc;
}

static int add_loopback_routes(char *err, size_t errlen)
{
    int lo = (int)if_nametoindex("lo");
    if (!lo) {
        snprintf(err, errlen, "no lo: %s", strerror(errno));
        return -1;
    }
    struct in_addr net = {htonl(INADDR_LOOPBACK & 0xff000000u)};
    if (add_loopback_route(AF_INET, &net, 8, lo, err, errlen) < 0)
        return -1;
    return add_loopback_route(AF_INET6, &in6addr_loopback, 128, lo, err, errlen);
}

/* KEY=VALUE with KEY in dotted (net.ipv4.x) or slashed form. */
static int set_sysctl(const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq) {
        snprintf(err, errlen, "malformed sysctl %s", kv);
        return -1;
    }
    char path[512];
    int k = snprintf(path, sizeof path, "/proc/sys/");
    for (const char *c = kv; c < eq && k < (int)sizeof path - 1; c++)
        path[k++] = *c == '.' ? '/' : *c;
    path[k] = 0;
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "sysctl %.*s: cannot open %s: %s", (int)(eq - kv), kv, path, strerror(errno));
        return -1;
    }
    char val[512];
    snprintf(val, sizeof val, "%s\n", eq + 1);
    if (write_all(fd, val, strlen(val)) < 0) {
        snprintf(err, errlen, "sysctl %.*s=%s: %s", (int)(eq - kv), kv, eq + 1, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Loads a list of modules the initramfs carries (MODULE_DIR/<list>.order,
 * in load order): "boot" at start-up (sock_diag handlers), "faults" before the
 * first nft rules (nf_tables and friends).  Already-loaded ones are fine; a
 * missing list means the kernel has them built in (or not at all). */
#define MODULE_DIR "/lib/modules/sockspec"
static int load_modules(const char *list_name, struct buf *err)
{
    char *names[64];
    int n = 0;
    char list_path[256];
    snprintf(list_path, sizeof list_path, MODULE_DIR "/%s.order", list_name);
    FILE *list = fopen(list_path, "r");
    if (!list)
        return 0;
    char line[256];
    while (n < 64 && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (line[0])
            names[n++] = strdup(line);
    }
    fclose(list);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, MODULE_DIR "/%s", names[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)) {
            if (!rc)
                buf_printf(err, "loading %s: %s", names[i], strerror(errno));
            rc = -1;
        }
        if (fd >= 0)
            close(fd);
        free(names[i]);
    }
    return rc;
}

static int load_fault_modules(struct buf *err)
{
    static int done;
    if (done)
        return 0;
    int rc = load_modules("faults", err);
    done = rc == 0;
    return rc;
}

/* nft -f with the rules in the current (the run's) namespace. */
static int apply_faults(const char *dir, const char *rules, struct buf *err)
{
    if (load_fault_modules(err) < 0)
        return -1;
    char path[300], log[300];
    snprintf(path, sizeof path, "%s/faults.nft", dir);
    snprintf(log, sizeof log, "%s/nft.log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, rules, strlen(rules)) < 0) {
        buf_printf(err, "writing %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    pid_t pid = fork();
    if (pid < 0) {
        buf_printf(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (lfd >= 0) {
            dup2(lfd, 1);
            dup2(lfd, 2);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char *argv[] = {"nft", "-f", path, NULL};
        execv("/usr/sbin/nft", argv);
        fprintf(stderr, "exec /usr/sbin/nft: %s\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    struct buf out = {0};
    read_file(log, &out);
    unlink(log);
    unlink(path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        buf_printf(err, "nft rejected the fault rules: %s", out.p ? out.p : "");
        free(out.p);
        return -1;
    }
    free(out.p);
    return 0;
}

/* The n-th marker carries "#n." after MARKER: the decoder drops any datagram
 * starting with MARKER, and the agent can tell whether the first one came. */
static void send_marker(int n)
{
    char payload[64];
    int len = snprintf(payload, sizeof payload, "%s#%d.", MARKER, n);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(9);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sendto(s, payload, (size_t)len, 0, (struct sockaddr *)&a, sizeof a);
    close(s);
}

static int file_has(const char *path, const char *needle)
{
    struct buf b = {0};
    int found = 0;
    if (read_file(path, &b) == 0 && b.n)
        found = memmem(b.p, b.n, needle, strlen(needle)) != NULL;
    free(b.p);
    return found;
}

/* Waits for SIGCHLD (blocked by the caller) until pid has exited or the
 * deadline passes.  Returns 1 with *status set, or 0 on timeout. */
static int wait_child(pid_t pid, int *status, long long deadline)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return 1; /* not our child any more: treat as gone */
        int ms = remaining_ms(deadline);
        if (ms == 0)
            return 0;
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        sigtimedwait(&set, NULL, &ts);
    }
}

/* Appends whatever is readable on fd (non-blocking) to b; returns 0 at EOF. */
static int drain(int fd, struct buf *b)
{
    char tmp[4096];
    for (;;) {
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k > 0) {
            buf_add(b, tmp, (size_t)k);
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0)
            return 0;
        return 1; /* EAGAIN */
    }
}

/* ------------------------------------------------------------ capturer */

static volatile sig_atomic_t capture_stop;

static void on_stop(int sig)
{
    (void)sig;
    capture_stop = 1;
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

static int capture_main(const char *ifname, const char *path)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop; /* no SA_RESTART: recvmsg returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);

    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) {
        fprintf(stderr, "capture: socket(AF_PACKET): %s\n", strerror(errno));
        return 1;
    }
    unsigned ifindex = if_nametoindex(ifname);
    if (!ifindex) {
        fprintf(stderr, "capture: %s: %s\n", ifname, strerror(errno));
        return 1;
    }
    struct sockaddr_ll sl;
    memset(&sl, 0, sizeof sl);
    sl.sll_family = AF_PACKET;
    sl.sll_protocol = htons(ETH_P_ALL);
    sl.sll_ifindex = (int)ifindex;
    if (bind(fd, (struct sockaddr *)&sl, sizeof sl) < 0) {
        fprintf(stderr, "capture: bind(%s): %s\n", ifname, strerror(errno));
        return 1;
    }
    /* Packet-arrival stamps from the stack.  gVisor accepts SO_TIMESTAMPNS on
     * packet sockets but sends no control message for it; SO_TIMESTAMP (us)
     * it does honour, so that is what is asked for. */
    int one = 1;
    int have_ts = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one) == 0;
    /* This process is descheduled now and then on a loaded machine (under
     * ptrace each syscall is a round trip): a queue of a few MiB rides out a
     * burst of 64 KiB loopback segments instead of dropping packets. */
    int rcvbuf = 32 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "capture: %s: %s\n", path, strerror(errno));
        return 1;
    }
    const uint32_t snaplen = 262144;
    unsigned char hdr[24];
    put32(hdr, 0xa1b23c4d); /* nanosecond-resolution pcap */
    hdr[4] = 2; hdr[5] = 0; hdr[6] = 4; hdr[7] = 0;
    put32(hdr + 8, 0);
    put32(hdr + 12, 0);
    put32(hdr + 16, snaplen);
    put32(hdr + 20, 1); /* LINKTYPE_ETHERNET, as Linux lo */
    fwrite(hdr, 1, sizeof hdr, f);
    fflush(f);
    fprintf(stderr, "listening on %s, link-type EN10MB (Ethernet), snapshot length %u bytes "
            "(sockspec-agent AF_PACKET capture%s)\n", ifname, snaplen,
            have_ts ? ", SO_TIMESTAMP microsecond stamps" : ", user-space timestamps");

    static unsigned char pkt[262144];
    long captured = 0, skipped = 0, user_ts = 0;
    while (!capture_stop) {
        struct sockaddr_ll from;
        char cbuf[256];
        struct iovec iov = {pkt, sizeof pkt};
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = cbuf;
        m.msg_controllen = sizeof cbuf;
        ssize_t k = recvmsg(fd, &m, MSG_TRUNC);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "capture: recvmsg: %s\n", strerror(errno));
            break;
        }
        /* Loopback delivers each packet twice (outgoing and incoming);
         * keep one copy, as libpcap does. */
        if (from.sll_pkttype == PACKET_OUTGOING) {
            skipped++;
            continue;
        }
        struct timespec ts = {0, 0};
        int got = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET)
                continue;
            if (c->cmsg_type == SCM_TIMESTAMPNS) {
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                got = 1;
            } else if (c->cmsg_type == SCM_TIMESTAMP) {
                struct timeval tv;
                memcpy(&tv, CMSG_DATA(c), sizeof tv);
                ts.tv_sec = tv.tv_sec;
                ts.tv_nsec = tv.tv_usec * 1000L;
                got = 1;
            }
        }
        if (!got || (ts.tv_sec == 0 && ts.tv_nsec == 0)) {
            clock_gettime(CLOCK_REALTIME, &ts);
            user_ts++;
        }
        uint32_t caplen = (size_t)k < sizeof pkt ? (uint32_t)k : (uint32_t)sizeof pkt;
        unsigned char rec[16];
        put32(rec, (uint32_t)ts.tv_sec);
        put32(rec + 4, (uint32_t)ts.tv_nsec);
        put32(rec + 8, caplen);
        put32(rec + 12, (uint32_t)k);
        fwrite(rec, 1, sizeof rec, f);
        fwrite(pkt, 1, caplen, f);
        fflush(f);
        captured++;
    }
    fclose(f);
    fprintf(stderr, "%ld packets captured (%ld outgoing loopback copies skipped, "
            "%ld stamped in user space)\n", captured, skipped, user_ts);
    return 0;
}

/* ------------------------------------------------------------ one run */

struct run_state {
    char dir[256];
    char out[300], err[300], pcap[300];
    pid_t cap_pid;
    int cap_err_fd;
    struct buf cap_log;
};

static void kill_group_and_wait(pid_t pid, int *status)
{
    kill(-pid, SIGKILL);
    waitpid(pid, status, 0);
}

static pid_t start_capture(struct run_state *st, const struct request *q, struct buf *err)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        buf_printf(err, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        buf_printf(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(pfd[1], 2);
        int dn = open("/dev/null", O_RDWR);
        if (dn >= 0) {
            dup2(dn, 0);
            dup2(dn, 1);
        }
        if (!strcmp(q->capturer, "packet"))
            _exit(capture_main("lo", st->pcap));
        sigset_t set;
        sigemptyset(&set);
        sigprocmask(SIG_SETMASK, &set, NULL);
        /* The flags come from the host (capture.tcpdump_flags()), so the
         * guest's ring is sized as the host's: with "-s 0" and the default
         * 2 MiB buffer, libpcap's few 256 KiB blocks filled while an emulated
         * tcpdump was descheduled, and SYN+ACKs went missing from pcaps. */
        char *argv[MAX_FIELDS + 4];
        int n = 0;
        argv[n++] = "tcpdump";
        for (int i = 0; i < q->ncapture_arg; i++)
            argv[n++] = (char *)q->capture_args[i];
        argv[n++] = "-w";
        argv[n++] = st->pcap;
        argv[n] = NULL;
        execv(!strcmp(q->capturer, "tcpdump") ? "/usr/bin/tcpdump" : q->capturer, argv);
        fprintf(stderr, "exec tcpdump: %s\n", strerror(errno));
        _exit(127);
    }
    close(pfd[1]);
    st->cap_err_fd = pfd[0];
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    long long deadline = now_ns(CLOCK_MONOTONIC) + CAPTURE_START_TIMEOUT_MS * 1000000LL;
    for (;;) {
        int open_ = drain(pfd[0], &st->cap_log);
        if (st->cap_log.n && strstr(st->cap_log.p, "listening on"))
            return pid;
        if (!open_) {
            buf_printf(err, "capture exited before listening: %s", st->cap_log.p ? st->cap_log.p : "");
            kill_group_and_wait(pid, NULL);
            return -1;
        }
        struct pollfd pf = {pfd[0], POLLIN, 0};
        int ms = remaining_ms(deadline);
        if (ms == 0) {
            buf_printf(err, "capture did not report listening within %d ms: %s",
                       CAPTURE_START_TIMEOUT_MS, st->cap_log.p ? st->cap_log.p : "");
            kill_group_and_wait(pid, NULL);
            return -1;
        }
        poll(&pf, 1, ms);
    }
}

/* Marker sent; waits for it in the pcap, then stops the capturer. */
static int stop_capture(struct run_state *st, struct buf *err)
{
    send_marker(1);
    long long deadline = now_ns(CLOCK_MONOTONIC) + MARKER_TIMEOUT_MS * 1000000LL;
    int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (in >= 0 && inotify_add_watch(in, st->pcap, IN_MODIFY | IN_CLOSE_WRITE) < 0) {
        close(in);
        in = -1;
    }
    int ok = 0, sent = 1;
    long long resend_at = now_ns(CLOCK_MONOTONIC) + MARKER_RESEND_MS * 1000000LL;
    for (;;) {
        if (file_has(st->pcap, MARKER)) {
            ok = 1;
            break;
        }
        int ms = remaining_ms(deadline);
        if (ms == 0)
            break;
        if (now_ns(CLOCK_MONOTONIC) >= resend_at) {
            /* Only a full capture socket drops a loopback datagram: sent again,
             * the marker tells that loss from a capturer that stopped. */
            send_marker(++sent);
            resend_at = now_ns(CLOCK_MONOTONIC) + MARKER_RESEND_MS * 1000000LL;
        }
        if (ms > remaining_ms(resend_at))
            ms = remaining_ms(resend_at) + 1;
        if (in >= 0) {
            struct pollfd pf = {in, POLLIN, 0};
            if (poll(&pf, 1, ms) > 0) {
                char ev[4096];
                while (read(in, ev, sizeof ev) > 0)
                    ;
            }
        } else {
            /* No inotify: re-read the file at a short interval. */
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
        }
    }
    if (in >= 0)
        close(in);
    if (!ok)
        buf_printf(err, "capture end marker not seen in the pcap within %d ms (sent %d times)",
                   MARKER_TIMEOUT_MS, sent);
    else if (!file_has(st->pcap, MARKER "#1.")) {
        ok = 0;
        buf_printf(err, "the capture socket dropped packets: the first end marker never came "
                   "(a later one of %d did)", sent);
    }
    kill(st->cap_pid, SIGINT);
    int status;
    if (!wait_child(st->cap_pid, &status,
                    now_ns(CLOCK_MONOTONIC) + CAPTURE_STOP_TIMEOUT_MS * 1000000LL)) {
        kill_group_and_wait(st->cap_pid, &status);
        if (ok)
            buf_printf(err, "capture did not stop on SIGINT");
        ok = 0;
    }
    kill(-st->cap_pid, SIGKILL);
    struct pollfd pf = {st->cap_err_fd, POLLIN, 0};
    while (drain(st->cap_err_fd, &st->cap_log) && poll(&pf, 1, 1000) > 0)
        ;
    close(st->cap_err_fd);
    st->cap_pid = 0;
    return ok ? 0 : -1;
}

/* Runs one request; always produces a reply. */
static void do_run(const struct request *q, struct buf *r)
{
    struct run_state st;
    memset(&st, 0, sizeof st);
    struct buf err = {0};
    const char *kind = NULL;
    long long t_start = 0, t_end = 0, real_start = 0;
    int status = 0, timed_out = 0, ran = 0;

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    snprintf(st.dir, sizeof st.dir, "/tmp/sockspec-run-XXXXXX");
    if (!mkdtemp(st.dir)) {
        buf_printf(&err, "mkdtemp: %s", strerror(errno));
        kind = "agent";
        goto reply;
    }
    snprintf(st.out, sizeof st.out, "%s/stdout", st.dir);
    snprintf(st.err, sizeof st.err, "%s/stderr", st.dir);
    snprintf(st.pcap, sizeof st.pcap, "%s/capture.pcap", st.dir);

    if (q->argc < 1) {
        buf_printf(&err, "no program given");
        kind = "agent";
        goto reply;
    }
    if (q->netns && unshare(CLONE_NEWNET) < 0) {
        buf_printf(&err, "unshare(CLONE_NEWNET): %s", strerror(errno));
        kind = "netns";
        goto reply;
    }
    if (loopback_up() < 0) {
        buf_printf(&err, "bringing lo up: %s", strerror(errno));
        kind = "netns";
        goto reply;
    }
    if (q->loopback_routes) {
        char e[256];
        if (add_loopback_routes(e, sizeof e) < 0) {
            buf_printf(&err, "giving the namespace loopback routes: %s", e);
            kind = "loopback_routes";
            goto reply;
        }
    }
    for (int i = 0; i < q->nsysctl; i++) {
        char e[1024];
        if (set_sysctl(q->sysctls[i], e, sizeof e) < 0) {
            buf_printf(&err, "%s", e);
            kind = "sysctl";
            goto reply;
        }
    }
    if (q->nft && q->nft[0] && apply_faults(st.dir, q->nft, &err) < 0) {
        kind = "faults";
        goto reply;
    }
    if (q->capture && !strcmp(q->capturer, "tcpdump") && !q->ncapture_arg) {
        buf_printf(&err, "the request names no tcpdump flags (capture_arg=)");
        kind = "capture";
        goto reply;
    }
    if (q->capture) {
        st.cap_pid = start_capture(&st, q, &err);
        if (st.cap_pid < 0) {
            st.cap_pid = 0;
            kind = "capture";
            goto reply;
        }
    }

    real_start = now_ns(CLOCK_REALTIME);
    t_start = now_ns(CLOCK_MONOTONIC);
    pid_t pid = fork();
    if (pid < 0) {
        buf_printf(&err, "fork: %s", strerror(errno));
        kind = "agent";
        goto stop;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        int out = open(st.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int er = open(st.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || er < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(er, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "LANG=C.UTF-8", NULL};
        execve(q->argv[0], q->argv, envp);
        fprintf(stderr, "sockspec-agent: exec %s: %s\n", q->argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    ran = 1;
    long long deadline = t_start + q->timeout_ms * 1000000LL;
    if (!wait_child(pid, &status, deadline)) {
        timed_out = 1;
        kill_group_and_wait(pid, &status);
    }
    t_end = now_ns(CLOCK_MONOTONIC);
    kill(-pid, SIGKILL); /* anything the probe left behind in its group */

stop:
    if (st.cap_pid > 0 && stop_capture(&st, &err) < 0 && !kind)
        kind = "capture_end";  /* the probe ran; only its capture is incomplete */

reply:
    rep_int(r, "id", q->id);
    rep_str(r, "status", kind ? "error" : "ok");
    if (kind) {
        rep_str(r, "error_kind", kind);
        rep_str(r, "error", err.p ? err.p : "");
    }
    if (ran) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
        rep_int(r, "exit_code", code);
        rep_int(r, "timed_out", timed_out);
        rep_int(r, "duration_ns", t_end - t_start);
        rep_int(r, "start_real_ns", real_start);
        rep_file(r, "stdout", st.out);
        rep_file(r, "stderr", st.err);
    }
    if (q->capture) {
        rep_file(r, "pcap", st.pcap);
        rep_bytes(r, "capture_log", st.cap_log.p ? st.cap_log.p : "", st.cap_log.n);
    }
    if (st.dir[0]) {
        unlink(st.out);
        unlink(st.err);
        unlink(st.pcap);
        rmdir(st.dir);
    }
    free(err.p);
    free(st.cap_log.p);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
}

static void do_info(struct buf *r)
{
    struct utsname u;
    uname(&u);
    rep_str(r, "status", "ok");
    rep_str(r, "sysname", u.sysname);
    rep_str(r, "release", u.release);
    rep_str(r, "version", u.version);
    rep_str(r, "machine", u.machine);
    rep_file(r, "proc_version", "/proc/version");
    rep_file(r, "uptime", "/proc/uptime");
}

/* ------------------------------------------------------------ modes */

/* The virtio serial port qemu named `name` (/dev/vportXpY, which udev would
 * link as /dev/virtio-ports/NAME; without udev its name is read from sysfs).
 * -1 with ENODEV at once when the kernel has no virtio console driver (no
 * /sys/class/virtio-ports).  With the driver, the port appears once the host
 * side has announced it (virtio_console's control queue, after the driver's
 * probe), which nothing signals to us: sysfs is read every 10 ms for up to
 * 30 s. */
static int open_virtio_port(const char *name)
{
    for (int tries = 0; tries < 3000; tries++) {
        DIR *d = opendir("/sys/class/virtio-ports");
        if (!d) {
            errno = ENODEV;
            return -1;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            char path[300], got[128] = {0};
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
            int nf = open(path, O_RDONLY | O_CLOEXEC);
            if (nf < 0)
                continue;
            ssize_t k = read(nf, got, sizeof got - 1);
            close(nf);
            if (k > 0 && got[k - 1] == '\n')
                got[k - 1] = 0;
            if (strcmp(got, name))
                continue;
            snprintf(path, sizeof path, "/dev/%s", e->d_name);
            closedir(d);
            return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        }
        closedir(d);
        usleep(10000);
    }
    errno = ETIMEDOUT;
    return -1;
}

/* DEVICE is a path, or virtio:NAME for the virtio serial port of that name. */
static int open_channel(const char *dev)
{
    if (!strncmp(dev, "virtio:", 7))
        return open_virtio_port(dev + 7);
    return open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

static int serve(const char *dev, const char *fallback)
{
    signal(SIGPIPE, SIG_IGN);
    int stdio = !strcmp(dev, "stdio");
    /* Modules first: the virtio port's driver may be one of them. */
    struct buf merr = {0};
    if (!stdio)
        load_modules("boot", &merr);
    int fd = stdio ? 0 : open_channel(dev);
    if (fd < 0 && fallback) {
        fprintf(stderr, "sockspec-agent: %s: %s; answering on %s\n", dev, strerror(errno), fallback);
        dev = fallback;
        fd = open_channel(dev);
    }
    if (fd < 0)
        die(dev);
    int out = stdio ? 1 : fd;
    struct termios t;
    if (!stdio && tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cflag &= ~(tcflag_t)CRTSCTS;
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        cfsetspeed(&t, B115200);
        tcsetattr(fd, TCSANOW, &t);
    }
    struct buf r = {0};
    rep_str(&r, "kind", "hello");
    do_info(&r);
    if (merr.n)
        rep_str(&r, "module_errors", merr.p);
    send_reply(out, &r);

    struct buf payload = {0};
    for (;;) {
        /* Reap orphans re-parented to us (we are PID 1 in the guest). */
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (read_request(fd, &payload) < 0) {
            fprintf(stderr, "sockspec-agent: request channel closed\n");
            break;
        }
        struct request q;
        r.n = 0;
        if (parse_request(&payload, &q) < 0) {
            rep_str(&r, "status", "error");
            rep_str(&r, "error_kind", "agent");
            rep_str(&r, "error", "malformed request");
            send_reply(out, &r);
            continue;
        }
        if (!strcmp(q.cmd, "poweroff")) {
            rep_int(&r, "id", q.id);
            rep_str(&r, "status", "ok");
            send_reply(out, &r);
            if (!stdio)
                tcdrain(fd);
            break;
        }
        if (!strcmp(q.cmd, "info")) {
            rep_int(&r, "id", q.id);
            do_info(&r);
            send_reply(out, &r);
            continue;
        }
        if (strcmp(q.cmd, "run")) {
            rep_int(&r, "id", q.id);
            rep_str(&r, "status", "error");
            rep_str(&r, "error_kind", "agent");
            rep_str(&r, "error", "unknown command");
            send_reply(out, &r);
            continue;
        }
        /* A child per run, so its network namespace dies with it. */
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            prctl(PR_SET_CHILD_SUBREAPER, 1);
            struct buf cr = {0};
            do_run(&q, &cr);
            _exit(send_reply(out, &cr) < 0 ? 1 : 0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            rep_int(&r, "id", q.id);
            rep_str(&r, "status", "error");
            rep_str(&r, "error_kind", "agent");
            rep_str(&r, "error", "run supervisor died");
            send_reply(out, &r);
        }
    }
    if (stdio)
        return 0;
    sync();
    if (getpid() == 1)
        reboot(RB_POWER_OFF);
    return 0;
}

static int once(void)
{
    struct buf payload = {0};
    struct buf r = {0};
    struct request q;
    signal(SIGPIPE, SIG_IGN);
    if (read_request(0, &payload) < 0 || parse_request(&payload, &q) < 0) {
        rep_str(&r, "status", "error");
        rep_str(&r, "error_kind", "agent");
        rep_str(&r, "error", "no request on stdin");
    } else if (!strcmp(q.cmd, "info")) {
        do_info(&r);
    } else {
        do_run(&q, &r);
    }
    return send_reply(1, &r) < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "serve"))
        return serve(argv[2], argc >= 4 ? argv[3] : NULL);
    if (argc >= 2 && !strcmp(argv[1], "once"))
        return once();
    if (argc >= 4 && !strcmp(argv[1], "capture"))
        return capture_main(argv[2], argv[3]);
    fprintf(stderr, "usage: sockspec-agent serve DEVICE [FALLBACK] | serve stdio | once | capture IFACE FILE\n");
    return 2;
}
