/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * user.h - `check --user NAME`: the account the command runs as.  Read from
 * /etc/passwd and /etc/group directly: the binary is static, and glibc's
 * NSS would need shared libraries at run time.
 */
#ifndef RL_USER_H
#define RL_USER_H

#include <stddef.h>
#include <sys/types.h>

#define RL_USER_MAX_GROUPS 64

struct rl_user {
	uid_t uid;
	gid_t gid;
	size_t nr_groups;		/* supplementary groups, gid first   */
	gid_t groups[RL_USER_MAX_GROUPS];
	char name[64];
	char home[256];
};

/* NAME or a numeric uid, looked up in passwd_path (and its groups in
 * group_path).  0, or -1 with a one-line reason in err. */
int rl_user_lookup(const char *name, const char *passwd_path, const char *group_path,
		   struct rl_user *u, char *err, size_t len);
/* In the child, before exec: groups, gid, uid, and HOME/USER/LOGNAME.
 * 0 or -errno. */
int rl_user_become(const struct rl_user *u);

#endif /* RL_USER_H */
