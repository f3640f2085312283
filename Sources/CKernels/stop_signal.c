#include "hmtl_stop_signal.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t requested = 0;

static void on_stop(int sig) {
    if (requested) _exit(128 + sig);  // second signal: no grace
    requested = sig;
}

void hk_install_stop_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

int hk_stop_requested(void) { return requested; }
