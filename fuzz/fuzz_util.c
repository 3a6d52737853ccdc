/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the fuzz targets (fuzz_util.h).  The reference UTF-8
 * decoder is written from the Unicode table, not from lib/common.c, so
 * that a target comparing the two finds a mistake in either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "fuzz_util.h"

uint8_t
fz_u8(struct fz_in *in)
{
	uint8_t v;

	if (in->n == 0)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

uint16_t
fz_u16(struct fz_in *in)
{
	uint16_t hi = fz_u8(in);

	return (uint16_t)(hi << 8 | fz_u8(in));
}

uint32_t
fz_u32(struct fz_in *in)
{
	uint32_t hi = fz_u16(in);

	return hi << 16 | fz_u16(in);
}

size_t
fz_take(struct fz_in *in, size_t n, const uint8_t **ret_p)
{
	if (n > in->n)
		n = in->n;
	*ret_p = in->p;
	in->p += n;
	in->n -= n;
	return n;
}

char *
fz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
fz_next_str(struct fz_in *in)
{
	const uint8_t *nul;
	size_t n;
	char *s;

	if (in->n == 0)
		return NULL;
	nul = memchr(in->p, '\0', in->n);
	n = nul != NULL ? (size_t)(nul - in->p) : in->n;
	s = fz_strndup(in->p, n);
	in->p += n;
	in->n -= n;
	if (in->n > 0) {
		in->p++;
		in->n--;
	}
	return s;
}

static char tmpdir[64];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? 0 : 0;
}

static void
rm_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		(void)nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fz_tmpdir(void)
{
	/* tmpfs first: the store fsyncs every commit. */
	static const char *const bases[] = { "/dev/shm", "/tmp" };
	size_t i;

	if (tmpdir[0] != '\0')
		return tmpdir;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		(void)snprintf(tmpdir, sizeof(tmpdir), "%s/jitlog-fuzz.XXXXXX",
		    bases[i]);
		if (mkdtemp(tmpdir) != NULL) {
			(void)atexit(rm_tmpdir);
			return tmpdir;
		}
	}
	perror("mkdtemp");
	abort();
}

void
fz_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		abort();
}

int
fz_write_file(const char *path, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;
	int fd, r = 0;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (n > 0) {
		w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			break;
		}
		b += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int
fz_read_file(const char *path, uint8_t **ret, size_t *ret_n)
{
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap * 2 + 8192;
			if ((nb = realloc(buf, cap)) == NULL) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_n = len;
	buf = NULL;
out:
	free(buf);
	(void)close(fd);
	return r;
}

/*
 * Unicode 15, table 3-7: the second byte's range depends on the first
 * (E0: A0-BF, ED: 80-9F, F0: 90-BF, F4: 80-8F), every later byte is
 * 80-BF.  The maximal ill-formed subpart is the longest prefix of a
 * well-formed sequence, or the first byte alone.
 */
int
fz_utf8_ref(const uint8_t *p, size_t len, uint32_t *ret_cp)
{
	uint8_t lo = 0x80, hi = 0xbf;
	uint32_t cp;
	size_t need, i;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*ret_cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0fu;
		if (p[0] == 0xe0)
			lo = 0xa0;
		if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07u;
		if (p[0] == 0xf0)
			lo = 0x90;
		if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return -1;
	}
	for (i = 1; i < need; i++) {
		if (i >= len)
			return 0;
		if (p[i] < lo || p[i] > hi)
			return -(int)i;
		cp = cp << 6 | (p[i] & 0x3fu);
		lo = 0x80;
		hi = 0xbf;
	}
	*ret_cp = cp;
	return (int)need;
}

bool
fz_cp_unsafe_ref(uint32_t cp)
{
	static const uint32_t r[][2] = { { 0x0, 0x1f }, { 0x7f, 0x9f },
		{ 0xad, 0xad }, { 0x61c, 0x61c }, { 0x115f, 0x1160 },
		{ 0x180e, 0x180e }, { 0x200b, 0x200f }, { 0x2028, 0x2029 },
		{ 0x202a, 0x202e }, { 0x2060, 0x206f }, { 0x2066, 0x2069 },
		{ 0x3164, 0x3164 }, { 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 },
		{ 0xfff9, 0xfffb }, { 0xe0000, 0xe007f } };
	size_t i;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return true;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (cp >= r[i][0] && cp <= r[i][1])
			return true;
	return false;
}

bool
fz_utf8_valid(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t i = 0;
	int r;

	while (i < n) {
		r = fz_utf8_ref(p + i, n - i, &cp);
		if (r <= 0)
			return false;
		i += (size_t)r;
	}
	return true;
}

const uint8_t *
fz_memmem(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	if (m == 0)
		return hay;
	return memmem(hay, n, needle, m);
}

size_t
fz_count(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	const uint8_t *p;
	size_t c = 0, off = 0;

	if (m == 0)
		return 0;
	while (off < n && (p = memmem(hay + off, n - off, needle, m)) != NULL) {
		c++;
		off = (size_t)(p - hay) + 1;
	}
	return c;
}

void
fz_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: property broken: ", file, line);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	/* To the sanitizer's report fd: stderr may be closed
	 * (-close_fd_mask=2) while that one stays open. */
	__sanitizer_report_error_summary(msg);
	(void)fprintf(stderr, "%s\n", msg);
	abort();
}
