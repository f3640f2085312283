#ifndef HMTL_LSTM_KERNELS_H
#define HMTL_LSTM_KERNELS_H
#include <stddef.h>

// One LSTM time step over `rows` sequences, after the matrix products. Gate blocks follow
// PyTorch's order [i | f | g | o], each `hidden` wide, so a row of `gates` is 4·hidden floats.
//
// Forward: on entry `gates` holds the pre-activations W_ih·x + b_ih + W_hh·h + b_hh; on exit
// the activations σ(i), σ(f), tanh(g), σ(o) (kept for the backward pass). Then
//   c = f∘c_prev + i∘g,   tanh_c = tanh(c),   h = o∘tanh_c.
// `c_prev == NULL` means a zero previous cell state (the first step).
void hk_lstm_cell_forward(float *gates, const float *c_prev, float *c, float *tanh_c, float *h,
                          size_t rows, size_t hidden);

// Backward of the step above. `dh` is the gradient reaching h (output + recurrence), `dc` the
// gradient reaching c from the next step. Writes the pre-activation gradients to `dgates` and,
// unless `dc_prev == NULL` (first step), the gradient reaching c_prev. `c_prev == NULL` as above.
void hk_lstm_cell_backward(const float *gates, const float *c_prev, const float *tanh_c,
                           const float *dh, const float *dc, float *dgates, float *dc_prev,
                           size_t rows, size_t hidden);

#endif
