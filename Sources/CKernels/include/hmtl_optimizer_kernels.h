#ifndef HMTL_OPTIMIZER_KERNELS_H
#define HMTL_OPTIMIZER_KERNELS_H
#include <stddef.h>

// Σ clamp(g[i], ±clamp)² in double, in a fixed order (deterministic); NaN when any g[i] is
// not finite.
double hk_clamped_square_sum(const float *g, size_t n, float clamp);

// The same sum, bit for bit, when g[0, n) is exactly +0 outside `count` sorted, disjoint
// pieces [starts[k], starts[k] + lengths[k]): only they are read, each element added to the
// accumulator its index gives in the dense sum (a skipped +0 changes no accumulator).
double hk_clamped_square_sum_pieces(const float *g, size_t n, float clamp,
                                    const size_t *starts, const size_t *lengths, size_t count);

// One Adam step (PyTorch 0.4.1 form) on the clipped gradient ĝ = clamp(g, ±clamp)·scale:
//   m ← β1·m + (1−β1)·ĝ,  v ← β2·v + (1−β2)·ĝ²,  θ ← θ − step_size·m/(√v + ε),
// then g ← 0 for the next step. Clipping and zeroing are fused in so the gradient is read
// and written once; the four arrays must not overlap.
void hk_adam(float *theta, float *g, float *m, float *v, size_t n,
             float beta1, float beta2, float epsilon, float step_size, float clamp, float scale);

// hk_adam where g is +0 throughout, without reading or writing g: the same bits for θ, m, v.
void hk_adam_zero_gradient(float *theta, float *m, float *v, size_t n,
                           float beta1, float beta2, float epsilon, float step_size);

#endif
