/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * outfile.h - the files ringledger writes (--json, --junit, record -o):
 * created 0600 under a temporary name in the target's directory and renamed
 * into place when complete, so a symlink planted at the path is replaced,
 * never followed, and a reader never sees half a report.
 */
#ifndef RL_OUTFILE_H
#define RL_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

struct rl_outfile {
	FILE *f;			/* write here                      */
	char path[4096];		/* where it goes                    */
	char tmp[4096];			/* where it is until committed      */
};

/* 0, or -errno with a one-line reason in err. */
int rl_outfile_open(struct rl_outfile *o, const char *path, char *err, size_t len);
/* Flush, close and rename into place: 0, or -errno with the reason. */
int rl_outfile_commit(struct rl_outfile *o, char *err, size_t len);
/* Close and remove the temporary file (on an error path). */
void rl_outfile_abort(struct rl_outfile *o);

#endif /* RL_OUTFILE_H */
