// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * user.c - the account of `check --user` (see user.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "user.h"

/* Splits a colon-separated line in place; returns the number of fields. */
static size_t split_colons(char *line, char **field, size_t max)
{
	size_t n = 0;
	char *p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		field[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out < 0xffffffffUL;
}

/* passwd: name:x:uid:gid:gecos:home:shell */
static bool find_passwd(FILE *f, const char *want, struct rl_user *u)
{
	unsigned long want_uid = 0, uid, gid;
	bool by_id = parse_id(want, &want_uid);
	char line[1024], *fld[7];

	while (fgets(line, sizeof(line), f)) {
		if (split_colons(line, fld, 7) < 7 || !parse_id(fld[2], &uid) || !parse_id(fld[3], &gid))
			continue;
		if (by_id ? uid != want_uid : strcmp(fld[0], want))
			continue;
		/* a name or home too long for us is not an account we can be */
		if (strlen(fld[0]) >= sizeof(u->name) || strlen(fld[5]) >= sizeof(u->home))
			return false;
		u->uid = uid;
		u->gid = gid;
		memcpy(u->name, fld[0], strlen(fld[0]) + 1);
		memcpy(u->home, fld[5], strlen(fld[5]) + 1);
		return true;
	}
	return false;
}

/* group: name:x:gid:member,member */
static void find_groups(FILE *f, struct rl_user *u)
{
	char line[4096], *fld[4], *m, *save;
	unsigned long gid;

	u->groups[0] = u->gid;
	u->nr_groups = 1;
	while (f && fgets(line, sizeof(line), f) && u->nr_groups < RL_USER_MAX_GROUPS) {
		if (split_colons(line, fld, 4) < 4 || !parse_id(fld[2], &gid) || gid == u->gid)
			continue;
		for (m = strtok_r(fld[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
			if (!strcmp(m, u->name)) {
				u->groups[u->nr_groups++] = gid;
				break;
			}
	}
}

int rl_user_lookup(const char *name, const char *passwd_path, const char *group_path,
		   struct rl_user *u, char *err, size_t len)
{
	FILE *f = fopen(passwd_path, "re");
	bool found;

	memset(u, 0, sizeof(*u));
	if (!f) {
		snprintf(err, len, "cannot read %s: %s", passwd_path, strerror(errno));
		return -1;
	}
	found = find_passwd(f, name, u);
	fclose(f);
	if (!found) {
		snprintf(err, len, "no user '%s' in %s", name, passwd_path);
		return -1;
	}
	f = fopen(group_path, "re");
	find_groups(f, u);
	if (f)
		fclose(f);
	return 0;
}

int rl_user_become(const struct rl_user *u)
{
	if (setgroups(u->nr_groups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid))
		return -errno;
	setenv("HOME", u->home[0] ? u->home : "/", 1);
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	return 0;
}
