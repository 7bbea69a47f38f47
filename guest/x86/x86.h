/* SPDX-License-Identifier: MIT */
/*
 * The contract between start.S and the C side of the x86_64 guests, and
 * the few instruction helpers they use. Included by assembly too, so the
 * C part sits behind __ASSEMBLER__.
 *
 * Boot protocol (tinyvmm, flat images; arch/x86/x86_layout.h): the image is
 * loaded at X86_KERNEL_ADDR and EVERY vCPU enters its first byte at
 * once, in 64-bit mode, interrupts off, no IDT, RSP = 0, with
 *   RDI = guest-physical address of the device tree (X86_BENCH_DTB_ADDR)
 *   RSI = this vCPU's index in /cpus, which is also its APIC id.
 * The boot GDT (arch/x86/long_mode.h: code 0x10, data 0x18, as Linux's
 * boot protocol has them) and the identity map of [0, 4 GiB) with 2 MiB
 * pages are tinyvmm's; the guests keep both.
 *
 * start.S puts CPU i on stack slot i. CPU 0 zeroes .bss, builds the IDT
 * (x86_boot_init()) and calls main(dtb); every other CPU waits for that (x86_boot_ready),
 * loads the IDT and calls secondary_park(index), which idles until CPU 0
 * hands it work with cpu_start(). A CPU whose index has no stack slot
 * halts with interrupts off, never running C.
 */
#ifndef TINYVMM_GUEST_X86_X86_H
#define TINYVMM_GUEST_X86_X86_H

#include "x86_layout.h" /* arch/x86: the memory map and port numbers */

#define X86_MAX_CPUS 64	    /* arch/x86/platform.c's max_vcpus */
#define X86_STACK_SIZE 8192 /* per CPU; the guests do not recurse */

/* Exceptions that push an error code (SDM vol. 3, table 6-1). */
#define X86_VEC_DF 8
#define X86_VEC_TS 10
#define X86_VEC_NP 11
#define X86_VEC_SS 12
#define X86_VEC_GP 13
#define X86_VEC_PF 14
#define X86_VEC_AC 17
#define X86_VEC_CP 21
#define X86_VEC_VC 29
#define X86_VEC_SX 30
#define X86_NR_EXCEPTIONS 32
#define X86_NR_VECTORS 256
#define X86_STUB_SIZE 16 /* bytes per entry stub in start.S */

#ifndef __ASSEMBLER__

#include <stdint.h>

#include "libguest.h"

/*
 * The interrupt frame start.S builds on the interrupted stack: the
 * general registers it pushed, the vector and error code (0 when the
 * CPU pushes none), then what the CPU pushed (SDM vol. 3, 6.14.2).
 */
struct x86_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * What CPU 0 learns from the device tree and the other CPUs and the
 * interrupt entry need. The guest's only mutable global (entry points
 * have no argument to carry a pointer in). Written by CPU 0 before it
 * starts any other CPU's work; afterwards only the volatile fields move.
 */
struct x86_guest {
	struct console con; /* write == NULL until a UART is found */
	unsigned int nr_cpus;
	uint32_t apic_id[X86_MAX_CPUS]; /* by /cpus index */
	uint64_t tsc_hz; /* calibrated against the LAPIC timer; 0: not yet */
	uintptr_t lapic; /* the xAPIC page (IA32_APIC_BASE); apic.h */
	/* Set by the APIC_VEC_TIMER handler of CPU i (apic_timer_arm()). */
	volatile uint32_t timer_fired[X86_MAX_CPUS];
	/* cpu_start(): work for CPU i, taken by secondary_park(). */
	volatile uint32_t start[X86_MAX_CPUS];
	/* Set to 1 by CPU i while it runs that work; plain stores. */
	volatile uint32_t online[X86_MAX_CPUS];
	/* Works CPU i has finished: short work can come and go between
	 * two looks at online[i] (its vCPU thread may get the host CPU
	 * only then), so cpu_start() also watches this. */
	volatile uint32_t finished[X86_MAX_CPUS];
	/* Exceptions taken so far per CPU, to stop recursion. */
	volatile uint32_t in_exception[X86_MAX_CPUS];
	/*
	 * Called for every interrupt (vector >= 32) with interrupts off;
	 * it completes it (EOI). NULL: an interrupt is unexpected and
	 * reported like a fault.
	 */
	void (*irq_handler)(struct x86_guest *g, unsigned int cpu,
			    struct x86_frame *f);
	void *irq_ctx; /* for irq_handler */
};

extern struct x86_guest x86_guest;

/* start.S */
extern char _start[];
extern char x86_entry_stubs[];
extern char x86_stacks[];
extern volatile uint32_t x86_boot_ready;

/* Called by start.S; none of them returns. */
_Noreturn void main(uintptr_t dtb);
_Noreturn void secondary_park(unsigned int index);
/* The program's work for a secondary that cpu_start() started. */
void secondary_main(unsigned int index);
void x86_trap(struct x86_frame *f);

/* The CPU's index, from which stack slot it runs on. */
static inline unsigned int x86_cpu_index(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	return (unsigned int)((sp - (uintptr_t)x86_stacks) / X86_STACK_SIZE);
}

/* Port I/O: each access exits to tinyvmm (or the in-kernel PIC/PIT). */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

/*
 * Enables interrupts and halts as one step: STI's interrupt shadow
 * (SDM vol. 2, STI) holds off an interrupt until after HLT has begun, so
 * one that is already pending, or arrives in between, still ends the
 * halt. Returns with interrupts off again, after the handler ran.
 */
static inline void sti_hlt_cli(void)
{
	asm volatile("sti; hlt; cli" : : : "memory");
}

static inline _Noreturn void cpu_halt(void)
{
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

/* A compiler barrier: x86 keeps stores in order (TSO) by itself. */
static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr"
		     :
		     : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
}

/*
 * The time-stamp counter, not taken early nor overtaken: LFENCE waits
 * for every earlier instruction to complete and keeps later ones from
 * starting (SDM vol. 2, RDTSC; AMD APM vol. 3 with LFENCE dispatch
 * serializing, which Linux hosts enable).
 */
static inline __attribute__((always_inline)) uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* ACPI S5 through PM1a_CNT: tinyvmm exits 0. */
_Noreturn void x86_power_off(void);
/* The FADT's reset register: tinyvmm exits 3 (a failure, as on arm64). */
_Noreturn void x86_reset(void);

/* cpus.c */
/* Reads /cpus (reg = APIC id). Returns 0 or a -FDT_ERR_* code. */
int cpus_probe(const struct fdt *fdt, struct x86_guest *g);
#define CPU_START_TIMEOUT 1
/*
 * Hands CPU @i its work (secondary_main(i)) and waits up to @timeout_s
 * for it to say so in online[i], or to have finished it already. Needs the LAPIC up (apic.h) on both
 * sides and g->tsc_hz. Returns 0 or CPU_START_TIMEOUT.
 */
int cpu_start(struct x86_guest *g, unsigned int i, unsigned int timeout_s);
/* Spins until online[@i] == @want; false after @timeout_s. */
bool cpu_wait_online(const struct x86_guest *g, unsigned int i, uint32_t want,
		     unsigned int timeout_s);

#endif /* __ASSEMBLER__ */
#endif
