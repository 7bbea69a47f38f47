// SPDX-License-Identifier: MIT
/*
 * `tinyvmm compare`'s document loader and table (vmm/bench_doc.c,
 * vmm/compare.c, vmm/chart_svg.c): the input is up to four
 * "tinyvmm-bench" documents separated by NUL bytes (which no JSON text
 * holds). Those that load are compared, printed, gated and charted as
 * the command would, into memory: what comes out must be printable text
 * whatever the documents' strings hold.
 */
#include <errno.h>

#include "vmm/compare/bench_doc.h"
#include "vmm/compare/chart_svg.h"
#include "vmm/compare/compare.h"
#include "tests/fuzz/fuzz.h"

#define MAX_DOCS 4

/*
 * Documents may hold escapes and control characters in any string:
 * nothing printed or charted may (safe_text.h).
 */
static void assert_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(s[i] == '\n' ||
			    ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f));
}

/* The documents that loaded, compared two or more at a time. */
static void compare_docs(const struct bench_doc *docs, size_t n, double pct,
			 size_t baseline)
{
	const struct bench_doc *d[MAX_DOCS];
	static const char *const paths[MAX_DOCS] = {
		"a/nvhe.json",
		"b/vhe.json",
		"c/nvhe.json",
		"vhe.json",
	};
	struct compare c;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_ASSERT(out);
	for (size_t i = 0; i < n; i++)
		d[i] = &docs[i];
	if (compare_build(&c, d, (const char *const *)paths, n) == 0) {
		FUZZ_ASSERT(c.nr_files == n && c.nr_refused <= c.nr_rows);
		compare_set_baseline(&c, baseline % n);
		FUZZ_ASSERT(c.baseline == baseline % n);
		compare_print(&c, out);
		compare_print_exits(&c, out);
		if (n == 2)
			(void)compare_gate(&c, pct, out);
		FUZZ_ASSERT(chart_svg_write(&c, out) <= 0);
		compare_free(&c);
	}
	FUZZ_ASSERT(fclose(out) == 0);
	assert_printable(text, len);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct bench_doc docs[MAX_DOCS];
	size_t n = 0, len;
	/*
	 * A gate percentage, as --fail-above takes it (0 .. 10^6); its low
	 * bits also pick the baseline (the seeds predate --baseline).
	 */
	uint16_t raw = fuzz_u16(&in);
	double pct = raw / 16.0;

	while (in.n && n < MAX_DOCS) {
		const uint8_t *nul = memchr(in.p, 0, in.n);
		const uint8_t *p =
			fuzz_take(&in, nul ? (size_t)(nul - in.p) : in.n, &len);
		/* Its own block, not NUL-terminated: ASan sees overreads. */
		char *text = malloc(len ? len : 1);

		FUZZ_ASSERT(text);
		memcpy(text, p, len);
		memset(&docs[n], 0, sizeof(docs[n]));
		if (bench_doc_parse(&docs[n], text, len) == 0)
			n++;
		else
			FUZZ_ASSERT(docs[n].error[0] != '\0');
		free(text);
		(void)fuzz_u8(&in); /* the NUL */
	}
	if (n == 1) /* a document against itself is a comparison too */
		compare_docs((struct bench_doc[]){ docs[0], docs[0] }, 2, pct,
			     raw);
	else if (n >= 2)
		compare_docs(docs, n, pct, raw);
	for (size_t i = 0; i < n; i++)
		bench_doc_free(&docs[i]);
	return 0;
}
