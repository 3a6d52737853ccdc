/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the fuzz targets: taking typed values off the front
 * of the input, NUL-terminated copies, a private temporary directory
 * removed at exit, files written whole, a reference UTF-8 decoder that
 * the targets compare the core against, and FZ_CHECK, which reports a
 * broken property and aborts so that libFuzzer saves the input.
 */
#ifndef JITLOG_FUZZ_UTIL_H
#define JITLOG_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The part of the input not taken yet. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* The next byte / 16 / 32 bits (0 once the input is used up). */
uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
/* Up to n bytes: *ret_p points into the input, returns how many. */
size_t fz_take(struct fz_in *in, size_t n, const uint8_t **ret_p);

/* malloc'd copy of p[0..n) with a NUL added (aborts on no memory). */
char *fz_strndup(const void *p, size_t n);

/*
 * The next string of the input: bytes up to a NUL (not included) or the
 * end, malloc'd.  Returns NULL once the input is used up.
 */
char *fz_next_str(struct fz_in *in);

/* A private directory (mode 0700) made once, removed with its files at
 * exit; the path stays valid. */
const char *fz_tmpdir(void);
/* dir/name into buf (aborts when it does not fit). */
void fz_path(char *buf, size_t len, const char *dir, const char *name);
/* Replace path with p[0..n), mode 0600.  0 or -errno. */
int fz_write_file(const char *path, const void *p, size_t n);
/* Read path whole (malloc'd, NUL added).  0 or -errno. */
int fz_read_file(const char *path, uint8_t **ret, size_t *ret_n);

/*
 * Reference decoder with the contract of jl_utf8_decode (common.h),
 * written from Unicode 15 table 3-7 independently of the core.
 */
int fz_utf8_ref(const uint8_t *p, size_t len, uint32_t *ret_cp);
/*
 * The code points escape.h says are made visible, listed here from the
 * header (not from lib/escape.c): C0, DEL, C1, bidi and invisible format
 * characters, tags.
 */
bool fz_cp_unsafe_ref(uint32_t cp);
/* p[0..n) is well-formed UTF-8. */
bool fz_utf8_valid(const uint8_t *p, size_t n);
/* First occurrence of needle in hay, or NULL. */
const uint8_t *fz_memmem(const uint8_t *hay, size_t n, const void *needle,
    size_t m);
/* Occurrences of needle in hay (overlapping ones counted). */
size_t fz_count(const uint8_t *hay, size_t n, const void *needle, size_t m);

/* Report a broken property and abort (libFuzzer saves the input). */
__attribute__((noreturn, format(printf, 3, 4))) void fz_fail(const char *file,
    int line, const char *fmt, ...);
#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			fz_fail(__FILE__, __LINE__, __VA_ARGS__);              \
	} while (0)

/* The libFuzzer entry points (declared for -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
