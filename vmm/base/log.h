/* SPDX-License-Identifier: MIT */
/*
 * One way to tell the user something went wrong: a single line on stderr,
 * "tinyvmm: <what> <on what>: <why>". Inside, functions return -errno; the
 * layer that knows the "on what" prints.
 */
#ifndef TINYVMM_VMM_LOG_H
#define TINYVMM_VMM_LOG_H

#define TV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define TV_MUST_CHECK __attribute__((warn_unused_result))

void tv_err(const char *fmt, ...) TV_PRINTF(1, 2);
/* Like tv_err, with ": strerror(-err)" appended. */
void tv_errno(int err, const char *fmt, ...) TV_PRINTF(2, 3);
/* Progress and notes, only with --verbose. */
void tv_info(const char *fmt, ...) TV_PRINTF(1, 2);
/* Always printed, like tv_err(), but not an error: a measured result. */
void tv_notice(const char *fmt, ...) TV_PRINTF(1, 2);
void tv_log_set_verbose(int verbose);

#endif
