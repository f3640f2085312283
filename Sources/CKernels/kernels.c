#include "hmtl_kernels.h"
#include "multiversion.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

// exp(x) = 2^k * e^r with r = x - k*ln2 in [-ln2/2, ln2/2]; e^r by a degree-6 polynomial
// (Cephes expf coefficients). ln2 is split in two parts so r is exact to ~1 ulp.
static inline float exp_poly(float x) {
    x = x > 88.0f ? 88.0f : x;               // keeps k <= 127
    x = x < -87.3365447504f ? -87.3365447504f : x;   // keeps 2^k a normal number
    // Round to nearest by truncating t ± 0.5: cvttps2dq is baseline SSE2, floorf (roundps) is not,
    // and a libm call here would stop the loops from vectorising.
    float t = x * 1.44269504088896341f;
    float k = (float)(int32_t)(t + (t >= 0.0f ? 0.5f : -0.5f));
    float r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// Element-wise maps go through a small local block: callers often pass y == x (in place),
// and the compiler's runtime overlap check would send such calls down the scalar path.
#define BLOCK 32
#define MAP1(NAME, F)                                                           \
    MULTIVERSION void NAME(const float *x, float *y, size_t n) {                             \
        size_t i = 0;                                                           \
        for (; i + BLOCK <= n; i += BLOCK) {                                    \
            float out[BLOCK];                                                   \
            for (size_t k = 0; k < BLOCK; k++) out[k] = F(x[i + k]);            \
            memcpy(y + i, out, sizeof out);                                     \
        }                                                                       \
        for (; i < n; i++) y[i] = F(x[i]);                                      \
    }
#define MAP2(NAME, F)                                                           \
    MULTIVERSION void NAME(const float *a, const float *b, float *y, size_t n) {             \
        size_t i = 0;                                                           \
        for (; i + BLOCK <= n; i += BLOCK) {                                    \
            float out[BLOCK];                                                   \
            for (size_t k = 0; k < BLOCK; k++) out[k] = F(a[i + k], b[i + k]);  \
            memcpy(y + i, out, sizeof out);                                     \
        }                                                                       \
        for (; i < n; i++) y[i] = F(a[i], b[i]);                                \
    }

// log(x) = e·ln2 + log(m) with x = m·2^e, m in [√½, √2); log(m) by the Cephes logf
// polynomial in m − 1. Exponent and mantissa come from the bits, so the loop vectorises.
static inline float log_one(float x) {
    int32_t bits;
    float v = x < 1.17549435e-38f ? 1.17549435e-38f : x;
    memcpy(&bits, &v, sizeof bits);
    int32_t e = ((bits >> 23) & 0xff) - 126;
    int32_t mbits = (bits & 0x007fffff) | 0x3f000000;  // m in [0.5, 1)
    float m;
    memcpy(&m, &mbits, sizeof m);
    int below = m < 0.707106781186547524f;
    e = below ? e - 1 : e;
    m = below ? m + m - 1.0f : m - 1.0f;
    float z = m * m;
    float p = 7.0376836292e-2f;
    p = p * m - 1.1514610310e-1f;
    p = p * m + 1.1676998740e-1f;
    p = p * m - 1.2420140846e-1f;
    p = p * m + 1.4249322787e-1f;
    p = p * m - 1.6668057665e-1f;
    p = p * m + 2.0000714765e-1f;
    p = p * m - 2.4999993993e-1f;
    p = p * m + 3.3333331174e-1f;
    float r = p * m * z;
    float fe = (float)e;
    r += -2.12194440e-4f * fe;
    r += -0.5f * z;
    return m + r + 0.693359375f * fe;
}

static inline float sigmoid_one(float x) { return 1.0f / (1.0f + exp_poly(-x)); }

// tanh: odd polynomial for |x| < 0.625 (Cephes tanhf), 1 - 2/(e^{2|x|}+1) beyond; both are
// computed and selected so the loop has no branches.
static inline float tanh_one(float v) {
    float a = fabsf(v);
    float z = v * v;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                    + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * v + v;
    float big = 1.0f - 2.0f / (exp_poly(2.0f * a) + 1.0f);
    big = v < 0.0f ? -big : big;
    return a < 0.625f ? small : big;
}

static inline float relu_one(float x) { return x > 0.0f ? x : 0.0f; }
static inline float sigmoid_grad(float y, float dy) { return dy * y * (1.0f - y); }
static inline float tanh_grad(float y, float dy) { return dy * (1.0f - y * y); }
static inline float relu_grad(float y, float dy) { return y > 0.0f ? dy : 0.0f; }

MAP1(hk_exp, exp_poly)
MAP1(hk_log, log_one)
MAP1(hk_sigmoid, sigmoid_one)
MAP1(hk_tanh, tanh_one)
MAP1(hk_relu, relu_one)
MAP2(hk_sigmoid_backward, sigmoid_grad)
MAP2(hk_tanh_backward, tanh_grad)
MAP2(hk_relu_backward, relu_grad)

MULTIVERSION void hk_relu_backward_scaled(const float *restrict y, float *restrict d, float scale, size_t n) {
    for (size_t i = 0; i < n; i++) d[i] = y[i] > 0.0f ? d[i] * scale : 0.0f;
}

// One xoshiro256** step, as Random.RNG.next().
static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t xoshiro_next(uint64_t s[4]) {
    uint64_t result = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

void hk_dropout_apply(float *values, size_t n, uint64_t state[4], uint64_t threshold, float keep) {
    uint64_t s[4] = {state[0], state[1], state[2], state[3]};
    for (size_t i = 0; i < n; i++) values[i] *= (xoshiro_next(s) >> 40) >= threshold ? keep : 0.0f;
    memcpy(state, s, sizeof s);
}

// Reductions run in LANES independent accumulators (combined in a fixed order at the end), so
// the compiler can vectorise them without -ffast-math and the result stays deterministic.
#define LANES 8

// log Σ exp(x[i] + y[i]); y may be NULL (treated as zeros).
MULTIVERSION static float logsumexp_sum(const float *x, const float *y, size_t n) {
    if (n == 0) return -INFINITY;
    float mx[LANES];
    for (int k = 0; k < LANES; k++) mx[k] = -INFINITY;
    size_t blocks = n / LANES * LANES;
    for (size_t i = 0; i < blocks; i += LANES)
        for (int k = 0; k < LANES; k++) {
            float v = y ? x[i + k] + y[i + k] : x[i + k];
            mx[k] = v > mx[k] ? v : mx[k];
        }
    float m = -INFINITY;
    for (int k = 0; k < LANES; k++) m = mx[k] > m ? mx[k] : m;
    for (size_t i = blocks; i < n; i++) {
        float v = y ? x[i] + y[i] : x[i];
        m = v > m ? v : m;
    }
    if (isinf(m)) return m;  // all -inf, or any +inf
    float acc[LANES] = {0};
    for (size_t i = 0; i < blocks; i += LANES)
        for (int k = 0; k < LANES; k++) acc[k] += exp_poly((y ? x[i + k] + y[i + k] : x[i + k]) - m);
    float s = 0.0f;
    for (int k = 0; k < LANES; k++) s += acc[k];
    for (size_t i = blocks; i < n; i++) s += exp_poly((y ? x[i] + y[i] : x[i]) - m);
    return m + logf(s);
}

float hk_logsumexp(const float *x, size_t n) { return logsumexp_sum(x, NULL, n); }

float hk_logsumexp_sum(const float *x, const float *y, size_t n) { return logsumexp_sum(x, y, n); }

MULTIVERSION void hk_axpy(float a, const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

MULTIVERSION void hk_multiply(const float *restrict a, const float *restrict b, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

MULTIVERSION void hk_multiply_add(const float *restrict a, const float *restrict b, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += a[i] * b[i];
}
