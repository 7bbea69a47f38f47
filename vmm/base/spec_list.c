// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/base/spec_list.h"

/* The item at *@p; advances *@p past it and its comma. False at the end. */
bool spec_next(const char **p, struct spec_item *it)
{
	const char *s = *p, *end, *eq;

	if (!s)
		return false;
	end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	eq = memchr(s, '=', (size_t)(end - s));
	it->key = s;
	it->key_len = (size_t)((eq ? eq : end) - s);
	it->val = eq ? eq + 1 : NULL;
	it->val_len = eq ? (size_t)(end - eq - 1) : 0;
	*p = *end ? end + 1 : NULL;
	return true;
}

bool spec_key_is(const struct spec_item *it, const char *key)
{
	return it->key_len == strlen(key) && !memcmp(it->key, key, it->key_len);
}

bool spec_val_is(const struct spec_item *it, const char *val)
{
	return it->val && it->val_len == strlen(val) &&
	       !memcmp(it->val, val, it->val_len);
}

/* Copies the value into @dst (@size bytes with its NUL); false if too long. */
bool spec_val_copy(const struct spec_item *it, char *dst, size_t size)
{
	if (!it->val || it->val_len >= size)
		return false;
	memcpy(dst, it->val, it->val_len);
	dst[it->val_len] = '\0';
	return true;
}

/* A decimal value within [min, max]. */
bool spec_val_number(const struct spec_item *it, unsigned long min,
		     unsigned long max, unsigned long *out)
{
	char buf[16], *end;

	if (!spec_val_copy(it, buf, sizeof(buf)) ||
	    !isdigit((unsigned char)buf[0]))
		return false;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* Which keys were seen, so none is given twice. */
bool spec_seen_once(unsigned int *seen, unsigned int bit)
{
	if (*seen & bit)
		return false;
	*seen |= bit;
	return true;
}
