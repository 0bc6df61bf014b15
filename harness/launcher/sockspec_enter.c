/*
 * sockspec-enter [--netns PATH] [--pdeathsig SIG [--parent PID]] -- ARGV...
 *
 * Runs ARGV inside the network namespace mounted at PATH (setns), set to get
 * SIG when the thread that started it dies (PR_SET_PDEATHSIG), then execvp.
 * The driver starts tcpdump, nft and the probes through it instead of a
 * Python preexec_fn: with a preexec_fn, Popen must fork() the driver's whole
 * address space; without one it can vfork().
 *
 * --parent PID: the pid the caller expects as our parent. Should it have died
 * before the prctl, nothing would ever send SIG; we exit instead of running
 * ARGV unwatched. Static, so it also runs where no libc is installed.
 *
 * Errors: one line on stderr; exit 127 when ARGV[0] is not found, 126 when
 * anything else keeps ARGV from running (as a shell does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(int code, const char *fmt, ...) {
    va_list ap;
    fputs("sockspec-enter: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

static long number(const char *flag, const char *text, long low, long high) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < low || value > high)
        fail(126, "%s wants a whole number in %ld..%ld, not '%s'", flag, low, high, text);
    return value;
}

static int signal_number(const char *text) {
    static const struct { const char *name; int sig; } names[] = {
        {"KILL", SIGKILL}, {"TERM", SIGTERM}, {"INT", SIGINT}, {"HUP", SIGHUP},
    };
    const char *name = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].sig;
    return (int)number("--pdeathsig", text, 1, SIGRTMAX);
}

int main(int argc, char **argv) {
    const char *netns = NULL;
    int sig = 0;
    long parent = 0;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        if (i + 1 >= argc)
            fail(126, "%s wants a value (usage: sockspec-enter [--netns PATH] [--pdeathsig SIG "
                      "[--parent PID]] -- ARGV...)", argv[i]);
        if (strcmp(argv[i], "--netns") == 0)
            netns = argv[i + 1];
        else if (strcmp(argv[i], "--pdeathsig") == 0)
            sig = signal_number(argv[i + 1]);
        else if (strcmp(argv[i], "--parent") == 0)
            parent = number("--parent", argv[i + 1], 1, 0x7fffffff);
        else
            fail(126, "unknown option '%s' (usage: sockspec-enter [--netns PATH] [--pdeathsig SIG "
                      "[--parent PID]] -- ARGV...)", argv[i]);
    }
    if (i + 1 >= argc)
        fail(126, "no command after '--' (usage: sockspec-enter [--netns PATH] [--pdeathsig SIG "
                  "[--parent PID]] -- ARGV...)");
    if (parent && !sig)
        fail(126, "--parent goes with --pdeathsig");
    char **command = argv + i + 1;

    if (sig) {
        if (prctl(PR_SET_PDEATHSIG, sig) != 0)
            fail(126, "prctl(PR_SET_PDEATHSIG, %d): %s", sig, strerror(errno));
        /* The parent may have died before the prctl: then no signal will come. */
        if (parent && getppid() != parent)
            fail(126, "the parent (pid %ld) died before %s started", parent, command[0]);
    }
    if (netns) {
        int fd = open(netns, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            fail(126, "opening the namespace %s: %s", netns, strerror(errno));
        if (setns(fd, CLONE_NEWNET) != 0)
            fail(126, "setns into %s: %s", netns, strerror(errno));
        close(fd);
    }
    execvp(command[0], command);
    fail(errno == ENOENT ? 127 : 126, "%s: %s", command[0], strerror(errno));
}
