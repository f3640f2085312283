#ifndef HMTL_VITERBI_KERNELS_H
#define HMTL_VITERBI_KERNELS_H
#include <stddef.h>
#include <stdint.h>

// One step of the Viterbi recursion over T tags: for every next tag j,
//   next[j] = max_i (delta[i] + transitions[i * T + j]),  argmax[j] = the first such i.
// transitions is [from, to]. The max runs over i ascending with a strict >, so ties go to the
// lowest tag, exactly as a scalar loop would; the loop over j vectorises.
void hk_max_plus(const float *delta, const float *transitions, size_t T, float *next, int32_t *argmax);

#endif
