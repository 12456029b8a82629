/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nommu_btf_fixture.h - a struct shaped like the kernel's (members inside
 * anonymous unions and structs, a bitfield, a named inner struct), built
 * twice: by clang into BTF (nommu_btf_fixture.bpf.c) and by the host
 * compiler into test_nommu_loader.c, which wants src/nommu/btf.c to find
 * in the BTF the offsets offsetof() gives.
 */
#ifndef RL_NOMMU_BTF_FIXTURE_H
#define RL_NOMMU_BTF_FIXTURE_H

struct rl_fx_vma {
	unsigned long first;
	union {
		struct {
			unsigned long vm_start;
			unsigned long vm_end;
		};
		char pad[40];
	};
	unsigned int bits : 3;
	unsigned int after_bits;
	struct {
		int inner;
	} named;
	union {
		struct {
			char c;
			struct {
				void *deep;
			};
		};
	};
};

#endif
