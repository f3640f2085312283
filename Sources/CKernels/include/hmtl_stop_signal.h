#ifndef HMTL_STOP_SIGNAL_H
#define HMTL_STOP_SIGNAL_H

// SIGTERM and SIGINT (what Slurm and a user's Ctrl-C send) set a flag that the training loop
// polls between steps; a second signal ends the process at once with 128 + the signal.
void hk_install_stop_handler(void);
// The signal that asked to stop, or 0.
int hk_stop_requested(void);

#endif
