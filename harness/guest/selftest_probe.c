/*
 * sockspec_selftest: a minimal probe for testing targets (not a behaviour).
 * Follows the probe contract: with --json it prints JSON-lines events and a
 * final observations line; exit 0 ran to completion, 1 environment stopped it,
 * 2 bad usage.
 *
 *   --json            JSON lines (the only output form it has)
 *   --family inet|inet6
 *   --exit N          exit N after the observations line
 *   --hang            never finish (for timeout tests)
 *
 * It reports net.core.somaxconn as seen in its namespace, the interfaces it
 * sees (a fresh namespace has only lo), and whether a loopback connect, accept
 * and 2-byte exchange worked.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void event(const char *side, const char *call, const char *text, long ret, int err,
                  long long r0, long long m0)
{
    printf("{\"t_real_ns\":%lld,\"t_mono_ns\":%lld,\"end_real_ns\":%lld,\"end_mono_ns\":%lld,"
           "\"side\":\"%s\",\"call\":\"%s\",\"args\":{},\"text\":\"%s\",\"ret\":%ld,",
           r0, m0, ns(CLOCK_REALTIME), ns(CLOCK_MONOTONIC), side, call, text, ret);
    if (ret < 0)
        printf("\"errno\":%d,\"errno_name\":\"%s\"}\n", err, strerrorname_np(err));
    else
        printf("\"errno\":null,\"errno_name\":null}\n");
}

static void fail(const char *call)
{
    int e = errno;
    printf("{\"error\":{\"message\":\"%s failed\",\"call\":\"%s\",\"errno\":%d}}\n", call, call, e);
    fprintf(stderr, "sockspec_selftest: %s: %s\n", call, strerror(e));
    exit(1);
}

static int interfaces(void)
{
    FILE *f = fopen("/proc/net/dev", "r");
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (strchr(line, ':'))
            n++;
    fclose(f);
    return n;
}

/* Packets lo has received, from /proc/net/dev (-1: unreadable): 0 before
 * this probe sends anything in a namespace no earlier run has used. */
static long lo_received_packets(void)
{
    FILE *f = fopen("/proc/net/dev", "r");
    if (!f)
        return -1;
    char line[512];
    long packets = -1;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        char *name = line + strspn(line, " ");
        if (colon && colon - name == 2 && !strncmp(name, "lo", 2)) {
            long long bytes = 0;
            if (sscanf(colon + 1, "%lld %ld", &bytes, &packets) != 2)
                packets = -1;
        }
    }
    fclose(f);
    return packets;
}

int main(int argc, char **argv)
{
    int json = 0, six = 0, hang = 0, code = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--hang"))
            hang = 1;
        else if (!strcmp(argv[i], "--exit") && i + 1 < argc)
            code = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--family") && i + 1 < argc)
            six = !strcmp(argv[++i], "inet6");
        else {
            fprintf(stderr, "usage: sockspec_selftest --json [--family inet|inet6] [--exit N] [--hang]\n");
            return 2;
        }
    }
    if (!json) {
        fprintf(stderr, "sockspec_selftest: only --json output exists\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    long lo_packets_at_start = lo_received_packets();
    long somaxconn = -1;
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    if (f) {
        if (fscanf(f, "%ld", &somaxconn) != 1)
            somaxconn = -1;
        fclose(f);
    }

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (six) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int fam = six ? AF_INET6 : AF_INET;
    int l = socket(fam, SOCK_STREAM, 0);
    if (l < 0)
        fail("socket");
    if (bind(l, (struct sockaddr *)&ss, len) < 0)
        fail("bind");
    if (listen(l, 4) < 0)
        fail("listen");
    getsockname(l, (struct sockaddr *)&ss, &len);
    int port = ntohs(six ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);

    int c = socket(fam, SOCK_STREAM, 0);
    long long r0 = ns(CLOCK_REALTIME), m0 = ns(CLOCK_MONOTONIC);
    int rc = connect(c, (struct sockaddr *)&ss, len);
    event("client", "connect", "connect(client, listener)", rc, errno, r0, m0);
    r0 = ns(CLOCK_REALTIME), m0 = ns(CLOCK_MONOTONIC);
    int s = accept(l, NULL, NULL);
    event("server", "accept", "accept(listener, NULL, NULL)", s, errno, r0, m0);
    char buf[4] = {0};
    long n = -1;
    if (rc == 0 && s >= 0 && write(c, "hi", 2) == 2)
        n = read(s, buf, sizeof buf);
    close(c);
    if (s >= 0)
        close(s);
    close(l);
    if (hang)
        for (;;)
            pause();
    printf("{\"observations\":{\"somaxconn\":%ld,\"interfaces\":%d,\"connected\":%s,\"read\":%ld,"
           "\"server_port\":%d,\"family\":\"%s\",\"lo_packets_at_start\":%ld}}\n",
           somaxconn, interfaces(), rc == 0 ? "true" : "false", n, port, six ? "inet6" : "inet",
           lo_packets_at_start);
    fprintf(stderr, "selftest done\n");
    return code;
}
