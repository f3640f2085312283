#include "hmtl_cpu_features.h"

int hk_cpu_has_avx512_skylakex(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}

int hk_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int hk_cpu_is_intel(void) {
    __builtin_cpu_init();
    return __builtin_cpu_is("intel");
}
