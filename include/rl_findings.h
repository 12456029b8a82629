/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rl_findings.h - the stable finding ids (RL001..RL010).
 *
 * Ids never change meaning; CI allows or denies them one by one
 * (`ringledger check --allow RL006`).  The table that gives each id its
 * name, class and explanation lives in src/findings.c (src/findings.h);
 * this header is the one place the numbers are declared.
 */
#ifndef RL_FINDINGS_H
#define RL_FINDINGS_H

enum rl_finding_id {
	RL_F_NONE = 0,
	RL001 = 1,	/* page freed while a user VMA still maps it            */
	RL002,		/* page refcount below what the ledger expects          */
	RL003,		/* region never freed when its ring context died        */
	RL004,		/* GUP pins still held when their owner is gone         */
	RL005,		/* buffer ring unregistered while kernel-pinned         */
	RL006,		/* user mapping larger than / not matching its region   */
	RL007,		/* pinned buffer spans files, or long-term pins a file
			 * page that is neither shmem nor hugetlb              */
	RL008,		/* get_unmapped_area address breaks alignment/window    */
	RL009,		/* unpin/release of pages never seen pinned/referenced  */
	RL010,		/* events lost or probe missing: verdict inconclusive   */
	RL_F__MAX,
};

enum rl_finding_class {
	RL_CLASS_VIOLATION = 0,
	RL_CLASS_LEAK,
	RL_CLASS_INCONCLUSIVE,
};

#endif /* RL_FINDINGS_H */
