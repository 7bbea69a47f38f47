// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/machine/console.h"
#include "vmm/devices/serial.h"
#include "vmm/machine/vm.h"

/* While input waits for FIFO room, look again this often (ms). */
#define CONSOLE_RETRY_MS 10

struct console_input {
	uint8_t buf[256];
	size_t len, off;
	int stdin_open;
	int watching; /* stdin is in the epoll set with EPOLLIN */
};

static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int console_block_stop_signals(void)
{
	sigset_t set;

	stop_signal_set(&set);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/*
 * A terminal gets character-at-a-time input without local echo (the guest
 * echoes); signals stay on so Ctrl-C still stops tinyvmm.
 */
static int console_tty_raw(struct termios *saved)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved))
		return 0;
	raw = *saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	return 1;
}

static void console_feed(struct vm *vm, struct console_input *in)
{
	ssize_t n;

	if (in->off == in->len && in->stdin_open) {
		n = read(STDIN_FILENO, in->buf, sizeof(in->buf));
		if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
			in->stdin_open = 0; /* EOF or error: no more input */
		in->len = n > 0 ? (size_t)n : 0;
		in->off = 0;
	}
	in->off += serial_receive(vm->console, in->buf + in->off,
				  in->len - in->off);
}

static void console_on_signal(struct vm *vm, int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return;
	tv_err("stopping the guest on signal %s", strsignal((int)si.ssi_signo));
	vm_request_stop(vm, 128 + (int)si.ssi_signo);
}

static int console_epoll_add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * Watch stdin only while there is room for what it brings: with input
 * still pending, a level-triggered stdin would wake epoll at once, over
 * and over, while the guest is not draining its UART.
 */
static void console_watch_stdin(int ep, struct console_input *in)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = STDIN_FILENO };
	int want = in->stdin_open && in->off == in->len;

	if (want == in->watching)
		return;
	if (!in->stdin_open)
		epoll_ctl(ep, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
	else
		epoll_ctl(ep, EPOLL_CTL_MOD, STDIN_FILENO,
			  want ? &ev
			       : &(struct epoll_event){ .data.fd =
								STDIN_FILENO });
	in->watching = want;
}

static void console_loop(struct vm *vm, int ep, int sfd)
{
	struct console_input in = { .stdin_open = 0 };
	struct epoll_event evs[4];

	/* stdin may be a file or /dev/null, which epoll refuses: no input then. */
	in.stdin_open = in.watching = console_epoll_add(ep, STDIN_FILENO) == 0;
	while (!vm_is_stopping(vm)) {
		int pending = in.off < in.len;
		int n = epoll_wait(ep, evs, 4, pending ? CONSOLE_RETRY_MS : -1);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd)
				console_on_signal(vm, sfd);
			else if (evs[i].data.fd == STDIN_FILENO)
				console_feed(vm, &in);
		}
		if (pending)
			console_feed(vm, &in);
		console_watch_stdin(ep, &in);
	}
}

void console_pump(struct vm *vm)
{
	struct termios saved;
	sigset_t set;
	int ep, sfd, tty;

	stop_signal_set(&set);
	ep = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ep < 0 || sfd < 0 || console_epoll_add(ep, sfd) ||
	    console_epoll_add(ep, vm->stop_eventfd)) {
		tv_errno(errno, "setting up the console loop");
		vm_request_stop(vm, TINYVMM_EXIT_ERROR);
	} else {
		tty = console_tty_raw(&saved);
		console_loop(vm, ep, sfd);
		if (tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	}
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
}
