// Element-wise kernels: activations, bias and residual additions, transposes and permutations, layout helpers.
#include "CSAMKernels.h"
#include <stdlib.h>
#include "Internal.h"

SAM_MULTIVERSION void sam_gelu(float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = sam_gelu_value(x[i]);
}

SAM_MULTIVERSION void sam_add_bias(float *x, const float *bias, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (long c = 0; c < cols; c++) row[c] += bias[c];
    }
}

SAM_MULTIVERSION void sam_add_bias_gelu(float *x, const float *bias, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (long c = 0; c < cols; c++) row[c] = sam_gelu_value(row[c] + bias[c]);
    }
}

SAM_MULTIVERSION void sam_add_bias_relu(float *x, const float *bias, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (long c = 0; c < cols; c++) row[c] = fmaxf(row[c] + bias[c], 0.0f);
    }
}

// Outputs may be one of the inputs (same index), never partly overlapping ones: the loops below
// carry no dependence, which the pragmas tell the vectoriser instead of a runtime overlap check
// that in-place calls would fail.
SAM_MULTIVERSION void sam_add(float *y, const float *x, long n) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < n; i++) y[i] += x[i];
}

SAM_MULTIVERSION void sam_add_to(float *out, const float *a, const float *b, long n) {
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void sam_transpose(const float *in, float *out, long rows, long cols) {
    // Blocked so both the reads and the writes stay within a few cache lines.
    const long block = 32;
    for (long r0 = 0; r0 < rows; r0 += block) {
        long r1 = r0 + block < rows ? r0 + block : rows;
        for (long c0 = 0; c0 < cols; c0 += block) {
            long c1 = c0 + block < cols ? c0 + block : cols;
            for (long r = r0; r < r1; r++)
                for (long c = c0; c < c1; c++) out[c * rows + r] = in[r * cols + c];
        }
    }
}

void sam_scale_rows(float *x, const float *scale, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        for (long c = 0; c < cols; c++) row[c] *= scale[r];
    }
}

void sam_permute4(const float *in, const long dims[4], const int perm[4], float *out) {
    long strides[4] = {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
    long od[4], os[4];
    for (int i = 0; i < 4; i++) {
        od[i] = dims[perm[i]];
        os[i] = strides[perm[i]];
    }
    long o = 0;
    for (long a = 0; a < od[0]; a++)
        for (long b = 0; b < od[1]; b++)
            for (long c = 0; c < od[2]; c++)
                for (long d = 0; d < od[3]; d++) out[o++] = in[a * os[0] + b * os[1] + c * os[2] + d * os[3]];
}

void sam_expand_attention_bias(const float *table, long heads, long ws, float *out) {
    const long n = ws * ws;
    for (long h = 0; h < heads; h++)
        for (long a = 0; a < n; a++)
            for (long b = 0; b < n; b++) {
                long dy = labs(a / ws - b / ws), dx = labs(a % ws - b % ws);
                out[(h * n + a) * n + b] = table[h * n + dy * ws + dx];
            }
}

void sam_scatter_2x2(const float *blocks, long size, long cout, const float *bias, long y0, long y1,
                     float *out) {
    for (long y = y0; y < y1; y++)
        for (long x = 0; x < size; x++) {
            const float *src = blocks + (y * size + x) * 4 * cout;
            for (long t = 0; t < 4; t++) {
                float *dst = out + ((2 * y + t / 2) * 2 * size + 2 * x + t % 2) * cout;
                const float *s = src + t * cout;
                for (long c = 0; c < cout; c++) dst[c] = s[c] + bias[c];
            }
        }
}

void sam_rgb8_to_planes(const uint8_t *rgb, long width, long height, const float *tables,
                        float *out, long out_stride, long plane_stride) {
    for (long y = 0; y < height; y++)
        for (long x = 0; x < width; x++) {
            const uint8_t *p = rgb + (y * width + x) * 3;
            for (int c = 0; c < 3; c++) out[c * plane_stride + y * out_stride + x] = tables[c * 256 + p[c]];
        }
}
