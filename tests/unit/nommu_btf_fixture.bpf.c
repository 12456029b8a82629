// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BTF of nommu_btf_fixture.h's struct, for test_nommu_loader.c. */
#include "nommu_btf_fixture.h"

struct rl_fx_vma rl_fx_vma_instance;
