#ifndef HMTL_MULTIVERSION_H
#define HMTL_MULTIVERSION_H

// Hot kernels are compiled three times, for AVX-512 F, for AVX2 and for baseline x86-64, and
// the loader picks the widest the CPU supports (ifunc). Floating-point contraction is off
// (Package.swift) and no loop reassociates a sum, so every clone rounds identically: results
// do not depend on the machine, only the vector width does.
#if defined(__x86_64__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

#endif
