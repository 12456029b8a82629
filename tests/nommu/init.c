// SPDX-License-Identifier: GPL-2.0
/*
 * init - PID 1 of ringledger's NOMMU riscv64 guest.
 *
 * The kernel hands init what follows "--" on its command line:
 *   -append "console=ttyS0 -- /ringledger check -- /seed000"
 * init mounts /proc, /sys and tracefs, runs that one command (vfork +
 * execve: there is no fork without an MMU), prints "INIT status=N" (or
 * "INIT signal=N") and powers the machine off.  tests/nommu/run-guest.sh
 * reads those lines.
 */
#include "rt.h"

#define CLONE_VM	0x00000100
#define CLONE_VFORK	0x00004000
#define SIGCHLD		17
#define AT_FDCWD	-100
#define O_RDWR		2

/* vfork + execve + _exit(127) in one block: the child runs on the parent's
 * stack until execve, so nothing of it may touch memory the compiler owns */
static long spawn(char *path, char **argv, char **envp)
{
	register long a0 __asm__("a0") = (long)path;
	register long a1 __asm__("a1") = (long)argv;
	register long a2 __asm__("a2") = (long)envp;

	__asm__ volatile("mv t0, a0\n"
			 "mv t1, a1\n"
			 "mv t2, a2\n"
			 "li a0, %[flags]\n"
			 "li a1, 0\n"
			 "li a2, 0\n"
			 "li a3, 0\n"
			 "li a4, 0\n"
			 "li a7, %[nr_clone]\n"
			 "ecall\n"
			 "bnez a0, 1f\n"
			 "mv a0, t0\n"
			 "mv a1, t1\n"
			 "mv a2, t2\n"
			 "li a7, %[nr_execve]\n"
			 "ecall\n"
			 "li a0, 127\n"
			 "li a7, %[nr_exit]\n"
			 "ecall\n"
			 "1:\n"
			 : "+r"(a0), "+r"(a1), "+r"(a2)
			 : [flags] "i"(CLONE_VM | CLONE_VFORK | SIGCHLD),
			   [nr_clone] "i"(NR_clone), [nr_execve] "i"(NR_execve),
			   [nr_exit] "i"(NR_exit)
			 : "t0", "t1", "t2", "a3", "a4", "a7", "memory");
	return a0;
}

static void mnt(const char *src, const char *dir, const char *type)
{
	long r = sys6(NR_mount, (long)src, (long)dir, (long)type, 0, 0, 0);

	if (r < 0) {
		rt_puts("INIT mount ");
		rt_puts(dir);
		rt_puts(" failed: errno ");
		rt_put_dec(-r);
		rt_puts("\n");
	}
}

int main(int argc, char **argv, char **envp)
{
	long pid, r;
	int status = 0;

	/* stdio: the kernel opened /dev/console when the initramfs has it */
	if (sys3(NR_write, 1, "", 0) < 0) {
		mnt("devtmpfs", "/dev", "devtmpfs");
		r = sys4(NR_openat, AT_FDCWD, "/dev/console", O_RDWR, 0);
		sys3(NR_openat, AT_FDCWD, "/dev/console", O_RDWR);
		sys3(NR_openat, AT_FDCWD, "/dev/console", O_RDWR);
		(void)r;
	}
	mnt("proc", "/proc", "proc");
	mnt("sysfs", "/sys", "sysfs");
	mnt("tracefs", "/sys/kernel/tracing", "tracefs");

	if (argc < 2) {
		rt_puts("INIT usage: -- COMMAND [ARG...] on the kernel command line\n");
	} else {
		pid = spawn(argv[1], argv + 1, envp);
		if (pid < 0) {
			rt_puts("INIT vfork failed: errno ");
			rt_put_dec(-pid);
			rt_puts("\n");
		} else {
			r = sys4(NR_wait4, pid, &status, 0, 0);
			if (r < 0) {
				rt_puts("INIT wait4 failed: errno ");
				rt_put_dec(-r);
			} else if ((status & 0x7f) == 0) {
				rt_puts("INIT status=");
				rt_put_dec((status >> 8) & 0xff);
			} else {
				rt_puts("INIT signal=");
				rt_put_dec(status & 0x7f);
			}
			rt_puts("\n");
		}
	}
	/* LINUX_REBOOT_MAGIC1, MAGIC2, LINUX_REBOOT_CMD_POWER_OFF */
	sys4(NR_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0);
	rt_puts("INIT poweroff failed\n");
	for (;;)
		;
}
