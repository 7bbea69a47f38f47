/* SPDX-License-Identifier: MIT */
/*
 * The main thread's loop while the guest runs: feeds stdin to the console
 * UART, turns SIGINT/SIGTERM/SIGHUP into an orderly stop, and returns once
 * the VM is stopping.
 */
#ifndef TINYVMM_VMM_CONSOLE_H
#define TINYVMM_VMM_CONSOLE_H

#include "vmm/base/log.h"

struct vm;

/*
 * Blocks the stop signals in the calling thread, so that threads created
 * afterwards inherit the mask and only the console loop (signalfd) sees
 * them. Call before starting vCPU threads.
 */
TV_MUST_CHECK int console_block_stop_signals(void);

/* Runs until vm_is_stopping(); a stop signal stops with 128 + signo. */
void console_pump(struct vm *vm);

#endif
