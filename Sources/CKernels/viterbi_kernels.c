#include "hmtl_viterbi_kernels.h"
#include "multiversion.h"

MULTIVERSION void hk_max_plus(const float *restrict delta, const float *restrict transitions, size_t T,
                              float *restrict next, int32_t *restrict argmax) {
    for (size_t j = 0; j < T; j++) {
        next[j] = delta[0] + transitions[j];
        argmax[j] = 0;
    }
    for (size_t i = 1; i < T; i++) {
        const float d = delta[i];
        const float *row = transitions + i * T;
        for (size_t j = 0; j < T; j++) {
            float v = d + row[j];
            int better = v > next[j];
            next[j] = better ? v : next[j];
            argmax[j] = better ? (int32_t)i : argmax[j];
        }
    }
}
