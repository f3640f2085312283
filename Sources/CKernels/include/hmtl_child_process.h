#ifndef HMTL_CHILD_PROCESS_H
#define HMTL_CHILD_PROCESS_H

#include <sys/types.h>

// Starts `path` with `argv` and `envp` (both NULL-terminated) and its standard input, output and
// error on the given descriptors, in a process group of its own (`new_session` 0) or a session
// of its own (1), so that it and what it starts can be signalled and found as one. Signal
// dispositions and the signal mask are reset and no other descriptor is inherited.
// `death_signal` (0 for none) is sent to the child when the thread that called this exits
// (Linux's PR_SET_PDEATHSIG, which follows the thread, not the process: call it from a thread
// that lives as long as the process). Foundation's Process can do none of this between fork
// and exec. Returns the child's pid, or -errno when it could not be started (then nothing is
// left running).
pid_t hk_spawn(const char *path, char *const argv[], char *const envp[],
               int stdin_fd, int stdout_fd, int stderr_fd, int new_session, int death_signal);

// Whether the child `pid` has exited, without reaping it, so that its pid — the id of its
// process group or session — cannot be given to a new process while what is left of that
// group or session is still being ended. 1 when it has, with its exit code in *code or, when a
// signal ended it, the signal in *signal (the other is -1); 0 while it runs; -errno on error.
int hk_child_exited(pid_t pid, int *code, int *signal);

// Makes this process the one that its orphaned descendants are re-parented to (Linux's
// PR_SET_CHILD_SUBREAPER) instead of init, so that they stay findable among its descendants.
// 0, or -errno.
int hk_adopt_orphans(void);

#endif
