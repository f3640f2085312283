#ifndef HMTL_CPU_FEATURES_H
#define HMTL_CPU_FEATURES_H

// What the CPU can run, for choosing an OpenBLAS kernel when OpenBLAS itself falls back to a
// generic one (it does on CPU models newer than its release).
// The AVX-512 subsets OpenBLAS's SkylakeX kernels use: F, CD, BW, DQ and VL.
int hk_cpu_has_avx512_skylakex(void);
// AVX2 and FMA, what its Haswell kernels use.
int hk_cpu_has_avx2_fma(void);
// 1 on GenuineIntel, 0 elsewhere.
int hk_cpu_is_intel(void);

#endif
