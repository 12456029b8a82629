/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * http.h - the smallest HTTP/1.0 server a Prometheus scrape needs: `stat
 * --metrics ADDR:PORT` answers GET /metrics with the last interval's
 * OpenMetrics text, anything else with 404 (405 for another method).  One
 * connection at a time, in the caller's loop; no thread.
 */
#ifndef RL_HTTP_H
#define RL_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct rl_http {
	int fd;				/* listening socket, -1: none        */
	char *body;			/* what GET /metrics returns (owned) */
	size_t len;
	uint64_t served;		/* scrapes answered 200              */
};

/* "PORT" (loopback), "ADDR:PORT" or "[V6ADDR]:PORT"; port 0 picks one.
 * 0, or -1 with a one-line reason in err. */
int rl_http_listen(struct rl_http *h, const char *spec, char *err, size_t len);
/* The port it listens on. */
unsigned rl_http_port(const struct rl_http *h);
/* The next scrapes' body; takes `body` (malloc'd) over. */
void rl_http_set_body(struct rl_http *h, char *body, size_t len);
/* Wait up to timeout_ms for a connection and answer every one pending. */
void rl_http_serve(struct rl_http *h, int timeout_ms);
void rl_http_close(struct rl_http *h);

#endif /* RL_HTTP_H */
