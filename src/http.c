// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * http.c - GET /metrics for a Prometheus scrape (http.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "http.h"

#define CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* Split "ADDR:PORT" / "[V6]:PORT" / "PORT" into a socket address. */
static int parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *sl,
		      char *err, size_t len)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(spec, ':'), *port_s = spec;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	unsigned long port;
	char *end;

	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (n && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
		}
		if (!n || n >= sizeof(host)) {
			snprintf(err, len, "'%s' is not ADDR:PORT", spec);
			return -1;
		}
		memcpy(host, spec, n);
		host[n] = '\0';
		port_s = colon + 1;
	}
	port = strtoul(port_s, &end, 10);
	if (!*port_s || *end || port > 65535) {
		snprintf(err, len, "'%s' is not a port number", port_s);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
	} else {
		snprintf(err, len, "'%s' is not an IPv4 or IPv6 address", host);
		return -1;
	}
	return 0;
}

int rl_http_listen(struct rl_http *h, const char *spec, char *err, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(h, 0, sizeof(*h));
	h->fd = -1;
	if (parse_spec(spec, &ss, &sl, err, len))
		return -1;
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->fd, (struct sockaddr *)&ss, sl) || listen(h->fd, 8)) {
		snprintf(err, len, "cannot listen on %s: %s", spec, strerror(errno));
		close(h->fd);
		h->fd = -1;
		return -1;
	}
	return 0;
}

unsigned rl_http_port(const struct rl_http *h)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (h->fd < 0 || getsockname(h->fd, (struct sockaddr *)&ss, &sl))
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						((struct sockaddr_in *)&ss)->sin_port);
}

void rl_http_set_body(struct rl_http *h, char *body, size_t len)
{
	free(h->body);
	h->body = body;
	h->len = len;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void reply(int fd, const char *status, const char *type, const char *body, size_t len,
		  bool with_body)
{
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type, len);

	send_all(fd, head, (size_t)n);
	if (with_body)
		send_all(fd, body, len);
}

/* One connection: its request head (within a second), one answer. */
static void answer(struct rl_http *h, int fd)
{
	struct timeval tv = { .tv_sec = 1 };
	char req[4096];
	size_t got = 0;
	const char *path;
	bool head;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < sizeof(req) - 1) {
		ssize_t r = recv(fd, req + got, sizeof(req) - 1 - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (strncmp(req, "GET ", 4) && strncmp(req, "HEAD ", 5)) {
		reply(fd, "405 Method Not Allowed", "text/plain", "GET /metrics\n", 13, true);
		return;
	}
	head = req[0] == 'H';
	path = strchr(req, ' ') + 1;
	if (strncmp(path, "/metrics", 8) || (path[8] != ' ' && path[8] != '?')) {
		reply(fd, "404 Not Found", "text/plain", "GET /metrics\n", 13, !head);
		return;
	}
	if (!h->body) {
		reply(fd, "503 Service Unavailable", "text/plain", "no interval yet\n", 16, !head);
		return;
	}
	reply(fd, "200 OK", CONTENT_TYPE, h->body, h->len, !head);
	h->served++;
}

void rl_http_serve(struct rl_http *h, int timeout_ms)
{
	struct pollfd p = { .fd = h->fd, .events = POLLIN };
	int fd;

	if (h->fd < 0) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms);
		return;
	}
	if (poll(&p, 1, timeout_ms) <= 0)
		return;
	while ((fd = accept4(h->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		answer(h, fd);
		close(fd);
	}
}

void rl_http_close(struct rl_http *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	free(h->body);
	h->body = NULL;
}
