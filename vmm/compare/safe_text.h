/* SPDX-License-Identifier: MIT */
/*
 * Strings from bench documents (labels, KVM modes, units, counter names)
 * and from argv are untrusted: printed as they are, an escape sequence in
 * one could recolour, move the cursor or retitle the user's terminal, and
 * a control character would make the SVG ill-formed XML. This is the one
 * filter every such string passes before it is printed or charted.
 *
 * Each of these becomes one '?': a C0 control (tab and newline included:
 * they would break the tables' lines), DEL, a C1 control (U+0080..U+009F,
 * which some terminals obey like ESC), an ESC with the whole sequence it
 * starts (CSI, OSC/DCS strings up to BEL or ST, or ESC and its final
 * byte), a byte that is not valid UTF-8, the Unicode bidi controls and
 * line/paragraph separators (they reorder or break what is shown), and
 * U+FFFE/U+FFFF (not XML). Other UTF-8 passes unchanged, so a label may
 * be "7.3 µ-arch".
 */
#ifndef TINYVMM_VMM_SAFE_TEXT_H
#define TINYVMM_VMM_SAFE_TEXT_H

#include <stddef.h>

#define SAFE_TEXT_MAX_BYTES 4 /* what one step writes at most */

/*
 * One step through @s (not at its end): what to print for the character
 * or sequence at @s in @out (its byte count in *@len: 1..4), and where
 * the next one starts.
 */
const char *safe_text_step(const char *s, char out[SAFE_TEXT_MAX_BYTES],
			   size_t *len);

/*
 * @src filtered into @dst of @size (>= 1) bytes, cut at a character
 * boundary if it does not fit; @dst may be @src (the result is never
 * longer). Returns @dst.
 */
char *safe_text(char *dst, size_t size, const char *src);

/* Characters (code points) in @s: its width in a terminal or chart. */
size_t safe_text_width(const char *s);

/*
 * Cuts @s (filtered) to at most @max (>= 4) characters, the last three
 * "..." when it was longer.
 */
void safe_text_clip(char *s, size_t max);

#endif
