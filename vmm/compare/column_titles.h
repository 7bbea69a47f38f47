/* SPDX-License-Identifier: MIT */
/*
 * The title of each file's column in a comparison, and which column a
 * title names (--baseline).
 *
 * A column is named by its document's host.tags.label (written by
 * `tinyvmm --bench --tag label=...`) when that is there and not empty,
 * else by its host.kvm_mode; the name is filtered (safe_text.h) and cut
 * to COLUMN_NAME_MAX characters, since either comes from an untrusted
 * file and ends up in table headers and the chart's legend. When two
 * columns would share a name, each such title adds the file's base name,
 * "NAME (FILE)", or its whole path when base names are shared too.
 */
#ifndef TINYVMM_VMM_COLUMN_TITLES_H
#define TINYVMM_VMM_COLUMN_TITLES_H

#include <stddef.h>

#include "vmm/compare/compare.h"
#include "vmm/base/log.h"

#define COLUMN_NAME_MAX 32 /* characters: "7.3 protected (pKVM)" fits */

/* Fills @c->titles from @c->docs and @c->paths. */
void column_titles_make(struct compare *c);

/*
 * The column @spec names: a number from 1 to the number of files (all
 * digits: taken as an index even if a title is a number too), or a whole
 * title. Returns 0 with the index from 0 in *@col; -ENOENT when none
 * matches, -EINVAL when @spec is 0 or too large, -EEXIST when two
 * titles match (the same path given twice).
 */
TV_MUST_CHECK int column_titles_find(const struct compare *c, const char *spec,
				     size_t *col);

#endif
