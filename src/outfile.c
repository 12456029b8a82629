// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * outfile.c - output files written safely (see outfile.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "outfile.h"

int rl_outfile_open(struct rl_outfile *o, const char *path, char *err, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash ? (int)(slash - path + 1) : 0, fd, e;

	memset(o, 0, sizeof(*o));
	if (!*path || (slash && !slash[1]) ||
	    snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%.*s.%s.XXXXXX", dlen, path,
		     slash ? slash + 1 : path) >= (int)sizeof(o->tmp)) {
		snprintf(err, len, "cannot write '%s': not a file name", path);
		return -EINVAL;
	}
	/* mkostemp: O_CREAT | O_EXCL, mode 0600, a name nobody else has */
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, len, "cannot write %s: %s; check the directory exists and is writable",
			 path, strerror(e));
		return -e;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		e = errno;
		close(fd);
		unlink(o->tmp);
		snprintf(err, len, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

int rl_outfile_commit(struct rl_outfile *o, char *err, size_t len)
{
	int e = 0;

	if (fflush(o->f) || ferror(o->f))
		e = errno ? errno : EIO;
	if (fclose(o->f) && !e)
		e = errno;
	o->f = NULL;
	if (!e && rename(o->tmp, o->path))
		e = errno;
	if (e) {
		unlink(o->tmp);
		snprintf(err, len, "cannot write %s: %s", o->path, strerror(e));
		return -e;
	}
	return 0;
}

void rl_outfile_abort(struct rl_outfile *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
}
