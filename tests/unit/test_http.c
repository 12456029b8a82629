// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_http.c - `stat --metrics`'s server (src/http.c) on the loopback:
 * GET /metrics answers 200 with the OpenMetrics content type and the body
 * set last, HEAD the same head without it, another path 404, another
 * method 405, no body yet 503; bad ADDR:PORT specs are refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tests.h"
#include "http.h"

/* Send `req` to the server, let it answer, return what came back. */
static char *ask(struct rl_http *h, const char *req)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(rl_http_port(h)) };
	static char buf[8192];
	size_t got = 0;
	ssize_t r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	buf[0] = '\0';
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, req, strlen(req), 0) != (ssize_t)strlen(req)) {
		if (fd >= 0)
			close(fd);
		return buf;
	}
	rl_http_serve(h, 1000);
	while (got < sizeof(buf) - 1 && (r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fd);
	return buf;
}

int main(void)
{
	struct rl_http h;
	char err[256], *out;
	const char *body = "# TYPE ringledger_rings gauge\nringledger_rings 1\n# EOF\n";

	T_OK(rl_http_listen(&h, "nohost:1", err, sizeof(err)) == -1, "a name is not an address");
	T_CONTAINS("... and the error says why", err, "not an IPv4 or IPv6 address");
	T_OK(rl_http_listen(&h, "127.0.0.1:99999", err, sizeof(err)) == -1, "a port past 65535 is refused");
	T_OK(rl_http_listen(&h, "127.0.0.1:", err, sizeof(err)) == -1, "an empty port is refused");
	if (!T_OK(rl_http_listen(&h, "0", err, sizeof(err)) == 0, "a port alone listens on the loopback")) {
		printf("#   %s\n", err);
		return t_done();
	}
	T_OK(rl_http_port(&h) > 0, "port 0 picks one");
	out = ask(&h, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	T_CONTAINS("before the first interval: 503", out, "HTTP/1.0 503 ");
	rl_http_set_body(&h, strdup(body), strlen(body));
	out = ask(&h, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	T_CONTAINS("GET /metrics: 200", out, "HTTP/1.0 200 OK\r\n");
	T_CONTAINS("... the OpenMetrics content type", out,
		   "Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n");
	T_CONTAINS("... its length", out, "Content-Length: 55\r\n");
	T_CONTAINS("... the body", out, "\r\n\r\n# TYPE ringledger_rings gauge\nringledger_rings 1\n# EOF\n");
	out = ask(&h, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	T_CONTAINS("a query string is the same path", out, "HTTP/1.0 200 OK\r\n");
	out = ask(&h, "HEAD /metrics HTTP/1.0\r\n\r\n");
	T_CONTAINS("HEAD: 200", out, "HTTP/1.0 200 OK\r\n");
	T_OK(!strstr(out, "ringledger_rings 1"), "... without the body");
	out = ask(&h, "GET /metricsx HTTP/1.0\r\n\r\n");
	T_CONTAINS("another path: 404", out, "HTTP/1.0 404 ");
	out = ask(&h, "POST /metrics HTTP/1.0\r\n\r\n");
	T_CONTAINS("another method: 405", out, "HTTP/1.0 405 ");
	T_EQ_U("three scrapes answered 200", h.served, 3);
	rl_http_close(&h);
	T_EQ_I("closed", h.fd, -1);
	return t_done();
}
