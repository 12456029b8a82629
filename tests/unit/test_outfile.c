// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_outfile.c - what ringledger writes and how it stops: output files
 * are 0600, replace a planted symlink without following it, appear whole
 * or not at all; `--user` reads its account from passwd/group files; a
 * stop signal is remembered.
 */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests.h"
#include "outfile.h"
#include "signals.h"
#include "user.h"

static char dir[] = "/tmp/rl-outfile-XXXXXX";

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void test_mode_and_content(void)
{
	struct rl_outfile o;
	char path[256], err[256], text[32] = "";
	struct stat st;
	FILE *f;

	path_in(path, sizeof(path), "report.json");
	umask(022);
	T_EQ_I("open", rl_outfile_open(&o, path, err, sizeof(err)), 0);
	fputs("{}\n", o.f);
	T_OK(access(path, F_OK) != 0, "nothing at the path before the commit");
	T_EQ_I("commit", rl_outfile_commit(&o, err, sizeof(err)), 0);
	T_EQ_I("stat", stat(path, &st), 0);
	T_EQ_U("mode 0600 whatever the umask", st.st_mode & 07777, 0600);
	f = fopen(path, "r");
	if (f) {
		T_OK(fgets(text, sizeof(text), f) != NULL, "read back");
		fclose(f);
	}
	T_EQ_STR("content", text, "{}\n");
}

static void test_planted_symlink(void)
{
	char path[256], victim[256], err[256], text[32] = "";
	struct rl_outfile o;
	struct stat st;
	FILE *f;

	path_in(victim, sizeof(victim), "victim");
	path_in(path, sizeof(path), "planted.xml");
	f = fopen(victim, "w");
	fputs("keep\n", f);
	fclose(f);
	T_EQ_I("plant a symlink", symlink(victim, path), 0);
	T_EQ_I("open over it", rl_outfile_open(&o, path, err, sizeof(err)), 0);
	fputs("<report/>\n", o.f);
	T_EQ_I("commit over it", rl_outfile_commit(&o, err, sizeof(err)), 0);
	T_EQ_I("lstat", lstat(path, &st), 0);
	T_OK(S_ISREG(st.st_mode), "the symlink was replaced by a file");
	f = fopen(victim, "r");
	if (f) {
		T_OK(fgets(text, sizeof(text), f) != NULL, "read the victim");
		fclose(f);
	}
	T_EQ_STR("the file it pointed to is untouched", text, "keep\n");
}

static void test_abort_and_errors(void)
{
	char path[256], err[256];
	struct rl_outfile o;

	path_in(path, sizeof(path), "aborted.events");
	T_EQ_I("open", rl_outfile_open(&o, path, err, sizeof(err)), 0);
	rl_outfile_abort(&o);
	T_OK(access(path, F_OK) != 0 && access(o.tmp, F_OK) != 0, "abort leaves nothing");
	T_OK(rl_outfile_open(&o, "/nonexistent-dir/x.json", err, sizeof(err)) == -ENOENT,
	     "a missing directory is an error");
	T_CONTAINS("... that names the path", err, "/nonexistent-dir/x.json");
	T_OK(rl_outfile_open(&o, dir, err, sizeof(err)) < 0 || (rl_outfile_commit(&o, err, sizeof(err)) < 0),
	     "a directory is not replaced");
}

static void test_user(void)
{
	char passwd[256], group[256], err[256];
	struct rl_user u;
	FILE *f;

	path_in(passwd, sizeof(passwd), "passwd");
	path_in(group, sizeof(group), "group");
	f = fopen(passwd, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\nbroken line\nuring:x:1001:1002:io:/home/uring:/bin/sh\n", f);
	fclose(f);
	f = fopen(group, "w");
	fputs("uring:x:1002:\nkvm:x:108:other,uring\ndisk:x:6:other\n", f);
	fclose(f);
	T_EQ_I("by name", rl_user_lookup("uring", passwd, group, &u, err, sizeof(err)), 0);
	T_EQ_U("uid", u.uid, 1001);
	T_EQ_U("gid", u.gid, 1002);
	T_EQ_STR("home", u.home, "/home/uring");
	T_EQ_U("groups: primary and kvm", u.nr_groups, 2);
	T_EQ_U("the supplementary group", u.groups[1], 108);
	T_EQ_I("by uid", rl_user_lookup("1001", passwd, group, &u, err, sizeof(err)), 0);
	T_EQ_STR("uid names the account", u.name, "uring");
	T_EQ_I("unknown", rl_user_lookup("nobody", passwd, group, &u, err, sizeof(err)), -1);
	T_CONTAINS("the reason names the user", err, "no user 'nobody'");
}

static void test_stop_signal(void)
{
	rl_signals_install();
	T_EQ_I("no signal yet", rl_stop_signal(), 0);
	raise(SIGTERM);
	T_EQ_I("SIGTERM remembered", rl_stop_signal(), SIGTERM);
	raise(SIGHUP);
	T_EQ_I("the first one wins", rl_stop_signal(), SIGTERM);
	rl_signals_reset();
	T_EQ_I("reset", rl_stop_signal(), 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_mode_and_content();
	test_planted_symlink();
	test_abort_and_errors();
	test_user();
	test_stop_signal();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return t_done();
}
