#ifndef HMTL_KERNELS_H
#define HMTL_KERNELS_H
#include <stddef.h>
#include <stdint.h>

// Element-wise kernels over contiguous float arrays. Branch-free polynomial approximations
// (Cephes-style, max relative error ~2e-7) so the loops vectorise and never call libm per
// element. `y` may alias `x`.
void hk_exp(const float *x, float *y, size_t n);
// Natural log for x > 0 (x = 0 gives a large negative number, not -inf; no NaN checks).
void hk_log(const float *x, float *y, size_t n);
void hk_sigmoid(const float *x, float *y, size_t n);
void hk_tanh(const float *x, float *y, size_t n);
void hk_relu(const float *x, float *y, size_t n);

// log(sum(exp(x[0..n)))) computed stably around the maximum; -inf for n == 0.
float hk_logsumexp(const float *x, size_t n);
// log(sum(exp(x[i] + y[i]))), without materialising x + y (the CRF's forward recursion).
float hk_logsumexp_sum(const float *x, const float *y, size_t n);

// y += a * x
void hk_axpy(float a, const float *x, float *y, size_t n);
// y = a * b and y += a * b, element-wise (y must not alias a or b)
void hk_multiply(const float *a, const float *b, float *y, size_t n);
void hk_multiply_add(const float *a, const float *b, float *y, size_t n);
// dx = dy * y * (1 - y), with y = sigmoid(x)  (dx may alias dy)
void hk_sigmoid_backward(const float *y, const float *dy, float *dx, size_t n);
// dx = dy * (1 - y^2), with y = tanh(x)
void hk_tanh_backward(const float *y, const float *dy, float *dx, size_t n);
// dx = dy where y > 0, else 0
void hk_relu_backward(const float *y, const float *dy, float *dx, size_t n);
// d = d * scale where y > 0, else 0, in place (a ReLU's backward through inverted dropout)
void hk_relu_backward_scaled(const float *y, float *d, float scale, size_t n);

// Inverted dropout from a xoshiro256** stream (Random.RNG's generator; `state` is advanced by
// n draws): values[i] *= keep when draw i has (draw >> 40) >= threshold, i.e. when
// RNG.uniform() >= rate for threshold = ceil(rate * 2^24), else *= 0. On ones it writes the mask.
void hk_dropout_apply(float *values, size_t n, uint64_t state[4], uint64_t threshold, float keep);

#endif
