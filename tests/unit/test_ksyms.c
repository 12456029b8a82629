// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ksyms.c - the kernel symbol table (src/ksyms.c) from a kallsyms
 * file of ours: the last symbol at or below an address, an address below
 * every symbol given back raw, and the lazy table, which reads its file at
 * the first stack it names and never when there is none, and returns NULL
 * (the address printed) when the file cannot be read.
 */
#include <unistd.h>
#include "tests.h"
#include "ksyms.h"

static const char *write_kallsyms(char *path)
{
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		return NULL;
	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81200000 t io_free_region\n"
	      "ffffffff81200400 T io_uring_mmap\n"
	      "ffffffff81300000 d some_data\n", f);
	fclose(f);
	return path;
}

static void test_table(const char *path)
{
	struct rl_ksyms *k = rl_ksyms_load(path);
	char buf[128];

	if (!T_OK(k, "the table loads"))
		return;
	T_OK(!strcmp(rl_ksyms_format(k, 0xffffffff81200010ULL, buf, sizeof(buf)),
		     "io_free_region+0x10"), "an address inside a function");
	T_OK(!strcmp(rl_ksyms_format(k, 0xffffffff81200400ULL, buf, sizeof(buf)),
		     "io_uring_mmap+0x0"), "a function's first byte");
	T_OK(!strcmp(rl_ksyms_format(k, 0xffffffff80000000ULL, buf, sizeof(buf)),
		     "0xffffffff80000000"), "below every symbol: the address");
	rl_ksyms_free(k);
}

static void test_lazy(const char *path)
{
	struct rl_ksyms_lazy l = { .path = path }, gone = { .path = "/nonexistent/kallsyms" };
	char buf[128];
	const char *s;

	T_OK(!l.tried && !l.k, "nothing read before the first stack");
	s = rl_ksyms_lazy_symbolize(0xffffffff81200404ULL, buf, sizeof(buf), &l);
	T_OK(s && !strcmp(s, "io_uring_mmap+0x4"), "the first stack reads the table");
	T_OK(l.tried && l.k, "read once, kept");
	s = rl_ksyms_lazy_symbolize(0xffffffff81000008ULL, buf, sizeof(buf), &l);
	T_OK(s && !strcmp(s, "_stext+0x8"), "the next from the same table");
	rl_ksyms_lazy_free(&l);
	T_OK(!l.k && !l.tried, "freed and reset");

	T_OK(!rl_ksyms_lazy_symbolize(0xffffffff81200404ULL, buf, sizeof(buf), &gone),
	     "an unreadable table: NULL, the address is printed");
	T_OK(gone.tried && !gone.k, "tried once only");
	rl_ksyms_lazy_free(&gone);
	rl_ksyms_lazy_free(&gone);	/* twice: harmless */
	T_OK(1, "freeing a freed table is harmless");
}

int main(void)
{
	char path[] = "/tmp/rl-kallsyms.XXXXXX";

	if (!T_OK(write_kallsyms(path), "a kallsyms file"))
		return t_done();
	test_table(path);
	test_lazy(path);
	unlink(path);
	return t_done();
}
