/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rt.h - the whole runtime of ringledger's NOMMU riscv64 guest programs.
 *
 * Debian's riscv64 cross glibc has no rcrt1.o, so it cannot make the static
 * PIE that the ELF FDPIC loader of a NOMMU kernel runs.  These programs are
 * freestanding instead: _start, raw riscv64 syscalls (ecall, number in a7),
 * and the few helpers they print with.  Built -static-pie -nostdlib
 * -mno-relax; tests/nommu/build.sh refuses a binary with dynamic
 * relocations (a table of pointers would make one: write none).
 */
#ifndef RL_NOMMU_RT_H
#define RL_NOMMU_RT_H

#include <stddef.h>
#include <stdint.h>

#define NR_openat	56
#define NR_close	57
#define NR_write	64
#define NR_exit		93
#define NR_nanosleep	101
#define NR_reboot	142
#define NR_getpid	172
#define NR_munmap	215
#define NR_clone	220
#define NR_execve	221
#define NR_mmap		222
#define NR_wait4	260
#define NR_bpf		280
#define NR_mount	40
#define NR_io_uring_setup	425
#define NR_io_uring_register	427

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0;
}
#define sys0(n)			sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)		sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)		sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)	sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)	sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* gcc may emit calls to these even when freestanding */
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *q = d;
	const unsigned char *p = s;

	while (n--)
		*q++ = *p++;
	return d;
}

static __attribute__((unused)) size_t rt_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static __attribute__((unused)) void rt_puts(const char *s)
{
	sys3(NR_write, 1, s, rt_strlen(s));
}

/* rt_put_hex / rt_put_dec: one number, no newline */
static __attribute__((unused)) void rt_put_hex(unsigned long v)
{
	char b[19];
	int i = 18;

	b[i] = 0;
	do {
		b[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && i > 2);
	b[--i] = 'x';
	b[--i] = '0';
	rt_puts(b + i);
}

static __attribute__((unused)) void rt_put_dec(long v)
{
	char b[24];
	int i = 23, neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		b[--i] = '-';
	rt_puts(b + i);
}

static __attribute__((unused)) int rt_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static __attribute__((noreturn)) void rt_exit(int code)
{
	for (;;)
		sys1(NR_exit, code);
}

int main(int argc, char **argv, char **envp);

/* the kernel's initial stack: argc, argv[], NULL, envp[], NULL, auxv */
__attribute__((used)) static void rt_cstart(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);

	rt_exit(main(argc, argv, argv + argc + 1));
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mv a0, sp\n"
	"	andi sp, sp, -16\n"
	"	call rt_cstart\n");

#endif
