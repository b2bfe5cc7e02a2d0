/* fuzz.h - what the libFuzzer targets under tests/fuzz/ share: the entry
 * point's prototype and a NUL-terminated copy of the input. */
#ifndef TENANTRY_FUZZ_H
#define TENANTRY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data[0..size) as a malloc'd C string (cut at an embedded NUL, as a
 * reader of text would see it); aborts when out of memory. */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
