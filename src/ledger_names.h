/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ledger_names.h - superseded by src/names.h (the event enumerations' names)
 * and src/findings.h (the finding table); kept only for src/ledger.c until
 * it includes names.h itself.  Nothing else includes it.
 */
#ifndef RL_LEDGER_NAMES_H
#define RL_LEDGER_NAMES_H

#include "names.h"

#endif /* RL_LEDGER_NAMES_H */
