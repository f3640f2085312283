#include "hmtl_lstm_kernels.h"
#include "hmtl_kernels.h"
#include "multiversion.h"

// The nonlinearities reuse the vectorised polynomial kernels (one call per gate block); the
// cell arithmetic is fused here so each step makes a single pass over its rows.
MULTIVERSION void hk_lstm_cell_forward(float *gates, const float *c_prev, float *c, float *tanh_c, float *h,
                          size_t rows, size_t hidden) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        float *g = gates + r * 4 * H;
        hk_sigmoid(g, g, 2 * H);           // i, f
        hk_tanh(g + 2 * H, g + 2 * H, H);  // g
        hk_sigmoid(g + 3 * H, g + 3 * H, H);  // o
        const float *gi = g, *gf = g + H, *gg = g + 2 * H;
        float *cr = c + r * H;
        if (c_prev) {
            const float *cp = c_prev + r * H;
            for (size_t j = 0; j < H; j++) cr[j] = gf[j] * cp[j] + gi[j] * gg[j];
        } else {
            for (size_t j = 0; j < H; j++) cr[j] = gi[j] * gg[j];
        }
    }
    hk_tanh(c, tanh_c, rows * H);
    for (size_t r = 0; r < rows; r++) {
        const float *go = gates + r * 4 * H + 3 * H;
        const float *tc = tanh_c + r * H;
        float *hr = h + r * H;
        for (size_t j = 0; j < H; j++) hr[j] = go[j] * tc[j];
    }
}

// With dc_t = dc + dh∘o∘(1 − tanh_c²):
//   d(pre i) = dc_t∘g∘i(1−i),  d(pre f) = dc_t∘c_prev∘f(1−f),  d(pre g) = dc_t∘i∘(1−g²),
//   d(pre o) = dh∘tanh_c∘o(1−o),  dc_prev = dc_t∘f.
MULTIVERSION void hk_lstm_cell_backward(const float *gates, const float *c_prev, const float *tanh_c,
                           const float *dh, const float *dc, float *dgates, float *dc_prev,
                           size_t rows, size_t hidden) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        const float *gi = gates + r * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
        const float *tc = tanh_c + r * H, *dhr = dh + r * H, *dcr = dc + r * H;
        float *di = dgates + r * 4 * H, *df = di + H, *dg = di + 2 * H, *dO = di + 3 * H;
        for (size_t j = 0; j < H; j++) {
            float dct = dcr[j] + dhr[j] * go[j] * (1.0f - tc[j] * tc[j]);
            float cp = c_prev ? c_prev[r * H + j] : 0.0f;
            di[j] = dct * gg[j] * gi[j] * (1.0f - gi[j]);
            df[j] = dct * cp * gf[j] * (1.0f - gf[j]);
            dg[j] = dct * gi[j] * (1.0f - gg[j] * gg[j]);
            dO[j] = dhr[j] * tc[j] * go[j] * (1.0f - go[j]);
            if (dc_prev) dc_prev[r * H + j] = dct * gf[j];
        }
    }
}
