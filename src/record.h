/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * record.h - a ring-buffer record (include/rl_events.h: header, the
 * payload of its type, maybe a stack) into a struct rl_event.
 */
#ifndef RL_RECORD_H
#define RL_RECORD_H

#include <stddef.h>
#include "rl_events.h"

/* 0, with *ev the event (every byte the record does not carry zeroed), or
 * -1 when the record is not one the BPF side makes: shorter than a header,
 * an unknown type, or a size that is neither its type's record nor that
 * record with a stack. */
int rl_record_decode(const void *data, size_t size, struct rl_event *ev);

#endif /* RL_RECORD_H */
