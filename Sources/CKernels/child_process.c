#define _GNU_SOURCE
#include "hmtl_child_process.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Between fork and exec the child may only make async-signal-safe calls (the parent has other
// threads, whose locks the child inherits held): everything below is a plain system call.

static void close_from(int first, int last) {
#ifdef SYS_close_range
    if (first > last || syscall(SYS_close_range, (unsigned)first, (unsigned)last, 0) == 0) return;
#endif
    for (int fd = first; fd <= last; fd++) close(fd);
}

// Every descriptor from 3 up except `keep`.
static void close_others(int keep) {
    struct rlimit limit;
    int top = (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (1u << 20))
        ? (int)limit.rlim_cur - 1 : (1 << 20) - 1;
    close_from(3, keep - 1);
    close_from(keep + 1, top);
}

// The child's side: never returns. Failures are reported through `report` (close-on-exec, so
// an exec that succeeds closes it and the parent reads nothing).
static void become(const char *path, char *const argv[], char *const envp[], const int fds[3],
                   int new_session, int death_signal, pid_t parent, int report) {
    int error = 0;
    struct sigaction deflt = {0};
    deflt.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &deflt, NULL);  // fails harmlessly on reserved ones
    }
    if ((new_session ? setsid() : setpgid(0, 0)) < 0) goto fail;
    if (death_signal != 0) {
        if (prctl(PR_SET_PDEATHSIG, death_signal) < 0) goto fail;
        if (getppid() != parent) _exit(128 + death_signal);  // the parent is already gone
    }
    // Through descriptors above 2 first, so that a target fd that is also a source survives.
    int moved[3];
    for (int i = 0; i < 3; i++) {
        if ((moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0) goto fail;
    }
    for (int i = 0; i < 3; i++) {
        if (dup2(moved[i], i) < 0) goto fail;
    }
    close_others(report);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
fail:
    error = errno;
    while (write(report, &error, sizeof error) < 0 && errno == EINTR) {}
    _exit(127);
}

pid_t hk_spawn(const char *path, char *const argv[], char *const envp[],
               int stdin_fd, int stdout_fd, int stderr_fd, int new_session, int death_signal) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) return -errno;
    // No handler of the parent may run in the child before its dispositions are reset.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    const int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        become(path, argv, envp, fds, new_session, death_signal, parent, report[1]);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return -fork_error;
    }
    int error = 0;
    ssize_t got;
    while ((got = read(report[0], &error, sizeof error)) < 0 && errno == EINTR) {}
    close(report[0]);
    if (got == (ssize_t)sizeof error) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        return -error;
    }
    return pid;
}

int hk_child_exited(pid_t pid, int *code, int *signal) {
    siginfo_t info = {0};
    *code = -1;
    *signal = -1;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0) return -errno;
    if (info.si_pid != pid) return 0;
    if (info.si_code == CLD_EXITED) *code = info.si_status; else *signal = info.si_status;
    return 1;
}

int hk_adopt_orphans(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -errno : 0; }
