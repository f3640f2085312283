#include "hmtl_optimizer_kernels.h"
#include <math.h>
#include "multiversion.h"

#define LANES 8

static inline float clamp_to(float x, float c) {
    x = x > c ? c : x;
    return x < -c ? -c : x;
}

MULTIVERSION double hk_clamped_square_sum(const float *g, size_t n, float clamp) {
    double acc[LANES] = {0};
    // g·0 is 0 for finite g and NaN for ±inf or NaN, which the clamp alone would hide (±inf
    // clamps to ±clamp): any non-finite gradient makes the result NaN.
    float poison[LANES] = {0};
    size_t blocks = n / LANES * LANES;
    for (size_t i = 0; i < blocks; i += LANES)
        for (int k = 0; k < LANES; k++) {
            double x = clamp_to(g[i + k], clamp);
            acc[k] += x * x;
            poison[k] += g[i + k] * 0.0f;
        }
    double s = 0;
    float p = 0;
    for (int k = 0; k < LANES; k++) { s += acc[k]; p += poison[k]; }
    for (size_t i = blocks; i < n; i++) {
        double x = clamp_to(g[i], clamp);
        s += x * x;
        p += g[i] * 0.0f;
    }
    return s + p;
}

MULTIVERSION double hk_clamped_square_sum_pieces(const float *g, size_t n, float clamp,
                                                 const size_t *starts, const size_t *lengths, size_t count) {
    double acc[LANES] = {0};
    float poison[LANES] = {0};
    size_t blocks = n / LANES * LANES;
    for (size_t p = 0; p < count; p++) {
        size_t i = starts[p], end = starts[p] + lengths[p];
        end = end < blocks ? end : blocks;
        for (; i < end && i % LANES != 0; i++) {
            double x = clamp_to(g[i], clamp);
            acc[i % LANES] += x * x;
            poison[i % LANES] += g[i] * 0.0f;
        }
        for (; i + LANES <= end; i += LANES)
            for (int k = 0; k < LANES; k++) {
                double x = clamp_to(g[i + k], clamp);
                acc[k] += x * x;
                poison[k] += g[i + k] * 0.0f;
            }
        for (; i < end; i++) {
            double x = clamp_to(g[i], clamp);
            acc[i % LANES] += x * x;
            poison[i % LANES] += g[i] * 0.0f;
        }
    }
    double s = 0;
    float q = 0;
    for (int k = 0; k < LANES; k++) { s += acc[k]; q += poison[k]; }
    // As hk_clamped_square_sum: elements past the last whole block follow, in index order.
    for (size_t p = 0; p < count; p++)
        for (size_t i = starts[p] > blocks ? starts[p] : blocks; i < starts[p] + lengths[p]; i++) {
            double x = clamp_to(g[i], clamp);
            s += x * x;
            q += g[i] * 0.0f;
        }
    return s + q;
}

MULTIVERSION void hk_adam(float *restrict theta, float *restrict g, float *restrict m, float *restrict v, size_t n,
             float beta1, float beta2, float epsilon, float step_size, float clamp, float scale) {
    for (size_t i = 0; i < n; i++) {
        float gi = clamp_to(g[i], clamp) * scale;
        g[i] = 0.0f;
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i] -= step_size * mi / (sqrtf(vi) + epsilon);
    }
}

MULTIVERSION void hk_adam_zero_gradient(float *restrict theta, float *restrict m, float *restrict v, size_t n,
                                        float beta1, float beta2, float epsilon, float step_size) {
    // hk_adam's expressions with ĝ = +0 (clamp(+0)·scale): x + (+0) is not folded away
    // (fast-math is off), so −0 moments round as they do there.
    const float gi = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        theta[i] -= step_size * mi / (sqrtf(vi) + epsilon);
    }
}
