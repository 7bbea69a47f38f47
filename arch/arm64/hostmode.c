// SPDX-License-Identifier: MIT
/*
 * Judging the host's KVM mode from the kernel log and command line.
 *
 * KVM's init in arch/arm64/kvm/arm.c ends with one line, which has been
 * worded several ways over the kernel's history:
 *
 *   "VHE mode initialized successfully"             host at EL2
 *   "Hyp mode initialized successfully"             nVHE, before pKVM
 *   "Protected nVHE mode initialized successfully"  pKVM (5.12+)
 *   "Hyp nVHE mode initialized successfully"        nVHE (later kernels)
 *   "Hyp hVHE mode initialized successfully"        nVHE, hyp using VHE
 *                                                   registers; host at EL1
 *   "Protected hVHE mode initialized successfully"  pKVM with hVHE
 *   "VHE+NV2 mode initialized successfully"         VHE, nested virt on
 *
 * The kernel prints "%s%sVHE%s": who ("Hyp ", "Protected " or nothing),
 * the flavour ("n", "h" or nothing) and "+NV2" when ARM64_HAS_NESTED_VIRT
 * is final. The words before " mode initialized successfully" decide;
 * anything else on the line ("[    0.1] kvm [1]: ") is ignored.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "arch/arm64/hostmode.h"

#define INIT_MARK "mode initialized successfully"

/*
 * What kvm_arm_init() prints instead when there is no KVM: the kernel was
 * not entered at EL2, or kvm-arm.mode=none. Such a line decides "unknown"
 * so that the command line cannot claim a mode the log rules out.
 */
static const char *const no_kvm_marks[] = {
	"HYP mode not available",
	"KVM disabled from command line",
};

struct word {
	const char *p;
	size_t len;
};

static int word_is(struct word w, const char *lit)
{
	return w.len == strlen(lit) && !memcmp(w.p, lit, w.len);
}

/* Splits the last word off s[0, *len); *len shrinks to what precedes it. */
static struct word pop_word(const char *s, size_t *len)
{
	size_t end = *len, start;

	while (end && isspace((unsigned char)s[end - 1]))
		end--;
	start = end;
	while (start && !isspace((unsigned char)s[start - 1]))
		start--;
	*len = start;
	return (struct word){ s + start, end - start };
}

/* The mode a "who flavour" pair names, as arm.c combines them. */
static enum arm64_kvm_mode mode_from_base(struct word who, struct word base)
{
	bool hyp = word_is(who, "Hyp"), prot = word_is(who, "Protected");

	if (word_is(base, "Hyp")) /* the old nVHE line: "Hyp mode" */
		return ARM64_KVM_MODE_NVHE;
	if (word_is(base, "VHE"))
		return hyp || prot ? ARM64_KVM_MODE_UNKNOWN
				   : ARM64_KVM_MODE_VHE;
	if (word_is(base, "nVHE"))
		return hyp    ? ARM64_KVM_MODE_NVHE
		       : prot ? ARM64_KVM_MODE_PROTECTED
			      : ARM64_KVM_MODE_UNKNOWN;
	if (word_is(base, "hVHE"))
		return hyp    ? ARM64_KVM_MODE_HVHE
		       : prot ? ARM64_KVM_MODE_PROTECTED_HVHE
			      : ARM64_KVM_MODE_UNKNOWN;
	return ARM64_KVM_MODE_UNKNOWN;
}

/*
 * "+NV2" on a split-mode word ("Hyp nVHE+NV2") is printable by arm.c's
 * format but no kernel produces it: nested virtualization needs the host
 * kernel at EL2 (early_kvm_mode_cfg() refuses kvm-arm.mode=nested
 * otherwise, and the cap is off unless that mode is set). Calling it
 * plain split mode would hide that guests get NV2; guessing what a future
 * kernel means by pKVM or hVHE with NV2 would be invention. So one mode
 * says what the line does say -- host at EL1, NV2 on -- and the evidence
 * line keeps the exact words.
 */
static enum arm64_kvm_mode with_nv2(enum arm64_kvm_mode base)
{
	return base == ARM64_KVM_MODE_VHE ? ARM64_KVM_MODE_VHE_NV2
					  : ARM64_KVM_MODE_SPLIT_NV2;
}

/*
 * @s, @len: the text before INIT_MARK. Returns 0 when the words are not
 * KVM's line, else 1 with *mode set; UNKNOWN then means KVM's line with a
 * suffix we cannot name (a newer kernel's), which must still decide: the
 * command line would otherwise speak for a kernel that said otherwise.
 */
static int mode_from_words(const char *s, size_t len, enum arm64_kvm_mode *mode)
{
	struct word base = pop_word(s, &len);
	struct word who = pop_word(s, &len);
	const char *plus = memchr(base.p, '+', base.len);
	struct word suffix = { base.p + base.len, 0 };

	if (plus) {
		suffix = (struct word){ plus,
					(size_t)(base.p + base.len - plus) };
		base.len = (size_t)(plus - base.p);
	}
	*mode = mode_from_base(who, base);
	if (*mode == ARM64_KVM_MODE_UNKNOWN)
		return 0;
	if (word_is(suffix, "+NV2"))
		*mode = with_nv2(*mode);
	else if (suffix.len)
		*mode = ARM64_KVM_MODE_UNKNOWN;
	return 1;
}

/* /dev/kmsg records start "<prio>,<seq>,<usec>,<flags>[,...];". */
static size_t kmsg_prefix_len(const char *s, size_t len)
{
	const char *semi;

	if (!len || !isdigit((unsigned char)s[0]))
		return 0;
	semi = memchr(s, ';', len);
	if (!semi || !memchr(s, ',', (size_t)(semi - s)))
		return 0;
	for (const char *p = s; p < semi; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return (size_t)(semi - s) + 1;
}

static void copy_trimmed(char *dst, size_t size, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > size - 1)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int says_no_kvm(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(no_kvm_marks) / sizeof(*no_kvm_marks);
	     i++)
		if (memmem(s, len, no_kvm_marks[i], strlen(no_kvm_marks[i])))
			return 1;
	return 0;
}

/* Returns 1 when the line decides the mode (which may be UNKNOWN). */
static int judge_line(const char *s, size_t len,
		      struct arm64_kvm_mode_verdict *v)
{
	size_t skip = kmsg_prefix_len(s, len);
	const char *mark;
	enum arm64_kvm_mode mode = ARM64_KVM_MODE_UNKNOWN;

	s += skip;
	len -= skip;
	mark = memmem(s, len, INIT_MARK, strlen(INIT_MARK));
	if (mark) {
		if (!mode_from_words(s, (size_t)(mark - s), &mode))
			return 0;
	} else if (!says_no_kvm(s, len)) {
		return 0;
	}
	v->mode = mode;
	copy_trimmed(v->log_evidence, sizeof(v->log_evidence), s, len);
	return 1;
}

/* The last deciding line wins: a log may hold more than one boot. */
static int judge_log(const char *kmsg, struct arm64_kvm_mode_verdict *v)
{
	int decided = 0;

	while (kmsg && *kmsg) {
		const char *eol = strchr(kmsg, '\n');
		size_t len = eol ? (size_t)(eol - kmsg) : strlen(kmsg);

		decided |= judge_line(kmsg, len, v);
		kmsg += len + (eol ? 1 : 0);
	}
	return decided;
}

/* Kernel parameter names treat '-' and '_' alike (kernel/params.c). */
static int param_is(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = s[i] == '_' ? '-' : s[i];

		if (a != name[i])
			return 0;
	}
	return 1;
}

/* Next word of a command line; double quotes protect spaces, as in Linux. */
static struct word next_arg(const char **cursor)
{
	const char *s = *cursor;
	int quoted = 0;
	struct word w;

	while (isspace((unsigned char)*s))
		s++;
	w.p = s;
	for (; *s && (quoted || !isspace((unsigned char)*s)); s++)
		if (*s == '"')
			quoted = !quoted;
	w.len = (size_t)(s - w.p);
	*cursor = s;
	return w;
}

/* The value of @arg if it is "@name...", quotes off; else .p is NULL. */
static struct word param_value(struct word arg, const char *name)
{
	const size_t n = strlen(name);
	struct word v = { NULL, 0 };

	if (!param_is(arg.p, arg.len, name))
		return v;
	v = (struct word){ arg.p + n, arg.len - n };
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"') {
		v.p++;
		v.len -= 2;
	}
	return v;
}

/*
 * Where arm64_sw.hvhe stands after the arguments so far. The kernel's
 * early idreg override (arch/arm64/kernel/pi/idreg-override.c) applies
 * them in order, '-' and '_' alike, stopping at "--", so the last one
 * wins. Current kernels make kvm-arm.mode=nvhe an alias for hvhe=0 (and
 * vh=0), and since 6.10 kvm-arm.mode=protected one for hvhe=1 (before, for
 * vh=0: pKVM was always nVHE). BY_PROTECTED records that only that alias,
 * not the user, asked: its effect depends on the kernel.
 */
enum hvhe {
	HVHE_OFF,
	HVHE_BY_PROTECTED,
	HVHE_ON,
};

/* hvhe=V as idreg-override reads V: one hex digit, "0x" allowed; only 1
 * turns it on; anything else is not a value and changes nothing (-1). */
static int hvhe_digit(struct word v)
{
	if (v.len > 2 && v.p[0] == '0' &&
	    tolower((unsigned char)v.p[1]) == 'x') {
		v.p += 2;
		v.len -= 2;
	}
	if (v.len != 1 || !isxdigit((unsigned char)v.p[0]))
		return -1;
	return v.p[0] == '1';
}

static enum hvhe hvhe_after(enum hvhe st, struct word mode, struct word hvhe)
{
	int digit;

	if (mode.p && word_is(mode, "nvhe"))
		return HVHE_OFF;
	if (mode.p && word_is(mode, "protected"))
		return st == HVHE_ON ? HVHE_ON : HVHE_BY_PROTECTED;
	digit = hvhe.p ? hvhe_digit(hvhe) : -1;
	if (digit < 0)
		return st;
	return digit ? HVHE_ON : HVHE_OFF;
}

/*
 * Records the last kvm-arm.mode= and arm64_sw.hvhe= before "--" in @v,
 * and returns where hvhe stands. kernel/params.c honours double quotes and
 * idreg-override does not; a quoted mode is something nobody writes, so
 * both are read the params.c way.
 */
static enum hvhe read_cmdline(const char *cmdline,
			      struct arm64_kvm_mode_verdict *v)
{
	enum hvhe st = HVHE_OFF;
	struct word w;

	while (cmdline && (w = next_arg(&cmdline)).len && !word_is(w, "--")) {
		struct word mode = param_value(w, "kvm-arm.mode=");
		struct word hvhe = param_value(w, "arm64-sw.hvhe=");

		if (mode.p)
			copy_trimmed(v->cmdline_mode, sizeof(v->cmdline_mode),
				     mode.p, mode.len);
		if (hvhe.p)
			copy_trimmed(v->cmdline_hvhe, sizeof(v->cmdline_hvhe),
				     hvhe.p, hvhe.len);
		st = hvhe_after(st, mode, hvhe);
	}
	return st;
}

/*
 * With no KVM line in the log, the command line decides. Each option is
 * taken to have worked, though a kernel or CPU too old for it ignores it:
 * that is all a command line can say, and the evidence shows it is all we
 * had. "none" is no KVM. hvhe=1 keeps the kernel at EL1 whatever the mode
 * asks (arch/arm64/kernel/hyp-stub.S, __finalise_el2), so it makes hVHE,
 * and a later "nested" is refused (early_kvm_mode_cfg() wants EL2).
 * "protected" alone is pKVM of a flavour that depends on the kernel (nVHE
 * before 6.10, hVHE after on CPUs with VHE), which the command line does
 * not tell: "protected (pKVM)" rather than a guess; an explicit hvhe=0 or
 * =1 after it settles the flavour. "vhe" is no value the kernel takes.
 */
static enum arm64_kvm_mode mode_from_cmdline(const char *word, enum hvhe st)
{
	if (!strcmp(word, "none"))
		return ARM64_KVM_MODE_UNKNOWN;
	if (!strcmp(word, "protected"))
		return st == HVHE_ON	? ARM64_KVM_MODE_PROTECTED_HVHE
		       : st == HVHE_OFF ? ARM64_KVM_MODE_PROTECTED
					: ARM64_KVM_MODE_PROTECTED_EITHER;
	if (st == HVHE_ON)
		return ARM64_KVM_MODE_HVHE;
	if (st == HVHE_BY_PROTECTED) /* protected, then another mode: muddle */
		return ARM64_KVM_MODE_UNKNOWN;
	if (!strcmp(word, "nvhe"))
		return ARM64_KVM_MODE_NVHE;
	if (!strcmp(word, "nested"))
		return ARM64_KVM_MODE_VHE_NV2;
	return ARM64_KVM_MODE_UNKNOWN;
}

void arm64_kvm_mode_judge(const char *kmsg, const char *cmdline,
			  struct arm64_kvm_mode_verdict *v)
{
	enum hvhe st;

	memset(v, 0, sizeof(*v));
	v->mode = ARM64_KVM_MODE_UNKNOWN;
	st = read_cmdline(cmdline, v);
	if (!judge_log(kmsg, v))
		v->mode = mode_from_cmdline(v->cmdline_mode, st);
}

const char *arm64_kvm_mode_name(enum arm64_kvm_mode mode)
{
	switch (mode) {
	case ARM64_KVM_MODE_VHE:
		return "VHE";
	case ARM64_KVM_MODE_NVHE:
		return "split (nVHE)";
	case ARM64_KVM_MODE_PROTECTED:
		return "protected (pKVM, nVHE)";
	case ARM64_KVM_MODE_PROTECTED_HVHE:
		return "protected (pKVM, hVHE)";
	case ARM64_KVM_MODE_PROTECTED_EITHER:
		return "protected (pKVM)";
	case ARM64_KVM_MODE_HVHE:
		return "hVHE";
	case ARM64_KVM_MODE_VHE_NV2:
		return "VHE with nested virtualization (NV2)";
	case ARM64_KVM_MODE_SPLIT_NV2:
		return "split with nested virtualization (NV2)";
	case ARM64_KVM_MODE_UNKNOWN:
		break;
	}
	return "unknown";
}
