#ifndef HMTL_OPTIMIZER_KERNELS_H
#define HMTL_OPTIMIZER_KERNELS_H
#include <stddef.h>

// Σ clamp(g[i], ±clamp)² in double, in a fixed order (deterministic); NaN when any g[i] is
// not finite.
double hk_clamped_square_sum(const float *g, size_t n, float clamp);

// One Adam step (PyTorch 0.4.1 form) on the clipped gradient ĝ = clamp(g, ±clamp)·scale:
//   m ← β1·m + (1−β1)·ĝ,  v ← β2·v + (1−β2)·ĝ²,  θ ← θ − step_size·m/(√v + ε),
// then g ← 0 for the next step. Clipping and zeroing are fused in so the gradient is read
// and written once; the four arrays must not overlap.
void hk_adam(float *theta, float *g, float *m, float *v, size_t n,
             float beta1, float beta2, float epsilon, float step_size, float clamp, float scale);

#endif
