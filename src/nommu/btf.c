// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * btf.c - struct member offsets from raw BTF (see btf.h).  The format is
 * the kernel's Documentation/bpf/btf.rst: a header, the types (each a
 * struct btf_type and what its kind appends), the strings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "btf.h"

#define BTF_MAGIC	0xeb9f
enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF,
	K_VOLATILE, K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC,
	K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64,
};

struct hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct type {
	uint32_t name_off, info, size_or_type;
};

struct member {
	uint32_t name_off, type, offset;
};

struct rl_btf {
	char *data;
	const char *strs;
	uint32_t str_len;
	const struct type **types;	/* by id; [0] is void */
	uint32_t nr_types;
};

static uint32_t kind(const struct type *t) { return (t->info >> 24) & 0x1f; }
static uint32_t vlen(const struct type *t) { return t->info & 0xffff; }
static int kflag(const struct type *t) { return t->info >> 31; }

/* bytes a type of this kind appends to its struct type; -1: unknown */
static long extra(const struct type *t)
{
	switch (kind(t)) {
	case K_INT: case K_VAR: case K_DECL_TAG:
		return 4;
	case K_ARRAY:
		return 12;
	case K_STRUCT: case K_UNION: case K_DATASEC: case K_ENUM64:
		return 12L * vlen(t);
	case K_ENUM: case K_FUNC_PROTO:
		return 8L * vlen(t);
	case K_PTR: case K_FWD: case K_TYPEDEF: case K_VOLATILE: case K_CONST:
	case K_RESTRICT: case K_FUNC: case K_FLOAT: case K_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

struct rl_btf *rl_btf_parse(const void *data, size_t len)
{
	struct rl_btf *b = calloc(1, sizeof(*b));
	const struct hdr *h;
	size_t at, end, cap = 0;

	if (!b || len < sizeof(*h) || !(b->data = malloc(len)))
		goto bad;
	memcpy(b->data, data, len);
	h = (const struct hdr *)b->data;
	if (h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h) || h->hdr_len > len ||
	    (uint64_t)h->hdr_len + h->type_off + h->type_len > len ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > len || !h->str_len)
		goto bad;
	b->strs = b->data + h->hdr_len + h->str_off;
	b->str_len = h->str_len;
	if (b->strs[b->str_len - 1])
		goto bad;
	at = h->hdr_len + h->type_off;
	end = at + h->type_len;
	b->nr_types = 1;
	while (at < end) {
		const struct type *t = (const struct type *)(b->data + at);
		long x;

		if (end - at < sizeof(*t) || (x = extra(t)) < 0 || end - at - sizeof(*t) < (size_t)x)
			goto bad;
		if (b->nr_types >= cap) {
			const struct type **n;

			cap = cap ? cap * 2 : 4096;
			n = realloc(b->types, cap * sizeof(*n));
			if (!n)
				goto bad;
			b->types = n;
		}
		b->types[b->nr_types++] = t;
		at += sizeof(*t) + (size_t)x;
	}
	return b;
bad:
	rl_btf_free(b);
	errno = EINVAL;
	return NULL;
}

struct rl_btf *rl_btf_load(const char *path)
{
	size_t len = 0, cap = 0, n;
	struct rl_btf *b;
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	int err;

	if (!f)
		return NULL;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 20);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	err = ferror(f) ? EIO : 0;
	fclose(f);
	b = err ? NULL : rl_btf_parse(buf, len);
	free(buf);
	if (err)
		errno = err;
	return b;
}

void rl_btf_free(struct rl_btf *b)
{
	if (!b)
		return;
	free(b->types);
	free(b->data);
	free(b);
}

static const char *name_of(const struct rl_btf *b, uint32_t off)
{
	return off < b->str_len ? b->strs + off : "";
}

/* through typedefs and qualifiers */
static const struct type *resolve(const struct rl_btf *b, uint32_t id)
{
	int depth;

	for (depth = 0; depth < 32 && id && id < b->nr_types; depth++) {
		const struct type *t = b->types[id];

		switch (kind(t)) {
		case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_TYPE_TAG:
			id = t->size_or_type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

/* member in t or in its anonymous members, at bit offset base */
static int find_member(const struct rl_btf *b, const struct type *t, const char *member,
		       uint32_t base, int depth, uint32_t *bits)
{
	const struct member *m = (const struct member *)(t + 1);
	uint32_t i;

	if (depth > 8)
		return -1;
	for (i = 0; i < vlen(t); i++) {
		uint32_t off = kflag(t) ? m[i].offset & 0xffffff : m[i].offset;
		const struct type *mt;

		if (kflag(t) && m[i].offset >> 24)
			continue;	/* a bitfield has no byte offset */
		if (m[i].name_off && !strcmp(name_of(b, m[i].name_off), member)) {
			*bits = base + off;
			return 0;
		}
		if (!m[i].name_off && (mt = resolve(b, m[i].type)) &&
		    (kind(mt) == K_STRUCT || kind(mt) == K_UNION) &&
		    !find_member(b, mt, member, base + off, depth + 1, bits))
			return 0;
	}
	return -1;
}

/* the first struct or union of that name with members */
static const struct type *find_struct(const struct rl_btf *b, const char *name)
{
	uint32_t id;

	for (id = 1; id < b->nr_types; id++) {
		const struct type *t = b->types[id];

		if ((kind(t) == K_STRUCT || kind(t) == K_UNION) && vlen(t) &&
		    !strcmp(name_of(b, t->name_off), name))
			return t;
	}
	return NULL;
}

int rl_btf_struct_size(const struct rl_btf *b, const char *name, uint32_t *size)
{
	const struct type *t = find_struct(b, name);

	if (!t)
		return -1;
	*size = t->size_or_type;
	return 0;
}

int rl_btf_member_offset(const struct rl_btf *b, const char *name, const char *member,
			 uint32_t *off)
{
	const struct type *t = find_struct(b, name);
	uint32_t bits;

	if (!t || find_member(b, t, member, 0, 0, &bits) || bits % 8)
		return -1;
	*off = bits / 8;
	return 0;
}
