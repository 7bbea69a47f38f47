// SPDX-License-Identifier: MIT
/* Column titles and finding a column by one; contract in column_titles.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compare/column_titles.h"
#include "vmm/compare/safe_text.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* The label, or the KVM mode: filtered and cut, into @name. */
static void column_name(const struct bench_doc *doc, char *name, size_t size)
{
	const char *label = doc->label;

	safe_text(name, size, label && *label ? label : doc->kvm_mode);
	safe_text_clip(name, COLUMN_NAME_MAX);
}

/* Whether another column has @i's name (and, if @file, base name). */
static bool name_shared(const struct compare *c,
			char (*names)[COMPARE_TITLE_LEN], size_t i, bool file)
{
	for (size_t j = 0; j < c->nr_files; j++)
		if (j != i && !strcmp(names[i], names[j]) &&
		    (!file ||
		     !strcmp(base_name(c->paths[i]), base_name(c->paths[j]))))
			return true;
	return false;
}

/* Appends @s to @dst (holding *@len bytes), cut to what COMPARE_TITLE_LEN
 * leaves. By hand, not snprintf: a cut is expected here (a long path),
 * and GCC's -Wformat-truncation would reject it at -O2. */
static void title_append(char *dst, size_t *len, const char *s)
{
	while (*s && *len + 1 < COMPARE_TITLE_LEN)
		dst[(*len)++] = *s++;
	dst[*len] = '\0';
}

/* "NAME", or "NAME (WHERE)" when @where: a long path may lose its end. */
static void title_with(char *title, const char *name, const char *where)
{
	size_t len = 0;

	title_append(title, &len, name);
	if (!where)
		return;
	title_append(title, &len, " (");
	title_append(title, &len, where);
	title_append(title, &len, ")");
}

void column_titles_make(struct compare *c)
{
	char names[COMPARE_MAX_FILES][COMPARE_TITLE_LEN];

	for (size_t i = 0; i < c->nr_files; i++)
		column_name(c->docs[i], names[i], sizeof(names[i]));
	for (size_t i = 0; i < c->nr_files; i++) {
		char *title = c->titles[i];

		if (!name_shared(c, names, i, false))
			title_with(title, names[i], NULL);
		else if (!name_shared(c, names, i, true))
			title_with(title, names[i], base_name(c->paths[i]));
		else
			title_with(title, names[i], c->paths[i]);
		/* The path is argv's, as untrusted as the name. */
		safe_text(title, COMPARE_TITLE_LEN, title);
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int column_titles_find(const struct compare *c, const char *spec, size_t *col)
{
	size_t found = 0;

	if (all_digits(spec)) {
		unsigned long n =
			strlen(spec) > 6 ? 0 : strtoul(spec, NULL, 10);

		if (n < 1 || n > c->nr_files)
			return -EINVAL;
		*col = n - 1;
		return 0;
	}
	for (size_t i = 0; i < c->nr_files; i++)
		if (!strcmp(c->titles[i], spec)) {
			*col = i;
			found++;
		}
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}
