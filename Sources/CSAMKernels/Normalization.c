// Layer norm and softmax over rows.
#include <stdlib.h>
#include "CSAMKernels.h"
#include "Internal.h"

/// Sum of n floats. Reassociation is allowed here only, so the compiler may keep several vector
/// partial sums and add them as a tree (results are reproducible for a given CPU).
SAM_INLINE float sam_sum(const float *x, long n) {
#pragma clang fp reassociate(on)
    float s = 0;
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

/// Sum of squared deviations from `mean` (see sam_sum).
SAM_INLINE float sam_sum_squares(const float *x, long n, float mean) {
#pragma clang fp reassociate(on)
    float s = 0;
    for (long i = 0; i < n; i++) s += (x[i] - mean) * (x[i] - mean);
    return s;
}

SAM_INLINE float sam_max(const float *x, long n) {
    float acc[16];
    for (int j = 0; j < 16; j++) acc[j] = -INFINITY;
    long i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] = acc[j] > x[i + j] ? acc[j] : x[i + j];
    float m = -INFINITY;
    for (int j = 0; j < 16; j++) m = m > acc[j] ? m : acc[j];
    for (; i < n; i++) m = m > x[i] ? m : x[i];
    return m;
}

SAM_MULTIVERSION void sam_layer_norm_stats(const float *x, float *y, const float *gamma, const float *beta,
                                           long rows, long cols, float eps, float *mean_out, float *rstd_out) {
    for (long r = 0; r < rows; r++) {
        const float *in = x + r * cols;
        float *out = y + r * cols;
        float mean = sam_sum(in, cols) / (float)cols;
        float var = sam_sum_squares(in, cols, mean) / (float)cols;
        float inv = 1.0f / sqrtf(var + eps);
        if (mean_out) mean_out[r] = mean;
        if (rstd_out) rstd_out[r] = inv;
        // `out` may be `in` (in place, same index), never partly overlapping: no dependence.
#pragma clang loop vectorize(assume_safety)
        for (long c = 0; c < cols; c++) out[c] = (in[c] - mean) * inv * gamma[c] + beta[c];
    }
}

void sam_layer_norm(const float *x, float *y, const float *gamma, const float *beta,
                    long rows, long cols, float eps) {
    sam_layer_norm_stats(x, y, gamma, beta, rows, cols, eps, NULL, NULL);
}

SAM_MULTIVERSION void sam_normalized_update(float *z, const float *add, const float *mean, const float *rstd,
                                            const float *colsum, const float *shift, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = z + r * cols;
        const float m = mean[r], s = rstd[r];
        for (long c = 0; c < cols; c++) row[c] = s * (row[c] + add[c] - m * colsum[c]) + shift[c];
    }
}

/// Softmax of one row in place: exp(x - max) / sum.
SAM_INLINE void sam_softmax_row(float *row, long cols) {
    float m = sam_max(row, cols);
    for (long c = 0; c < cols; c++) row[c] = sam_expf(row[c] - m);
    float inv = 1.0f / sam_sum(row, cols);
    for (long c = 0; c < cols; c++) row[c] *= inv;
}

SAM_MULTIVERSION void sam_softmax_rows(float *x, long rows, long cols, long ld) {
    for (long r = 0; r < rows; r++) sam_softmax_row(x + r * ld, cols);
}

SAM_MULTIVERSION void sam_add_softmax_rows(float *x, const float *bias, long rows, long cols, long ld,
                                           long ld_bias) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * ld;
        const float *b = bias + r * ld_bias;
        for (long c = 0; c < cols; c++) row[c] += b[c];
        sam_softmax_row(row, cols);
    }
}

SAM_MULTIVERSION void sam_softmax_segments(float *x, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        float m = row[0];
        for (long c = 1; c < cols; c++) m = m > row[c] ? m : row[c];
        for (long c = 0; c < cols; c++) row[c] -= m;
    }
    const long n = rows * cols;
    for (long i = 0; i < n; i++) x[i] = sam_expf(x[i]);
    for (long r = 0; r < rows; r++) {
        float *row = x + r * cols;
        float s = 0;
        for (long c = 0; c < cols; c++) s += row[c];
        float inv = 1.0f / s;
        for (long c = 0; c < cols; c++) row[c] *= inv;
    }
}

SAM_MULTIVERSION void sam_softmax_columns(float *x, long rows, long cols, long ld) {
    float *max = malloc((size_t)cols * sizeof(float)), *sum = malloc((size_t)cols * sizeof(float));
    if (!max || !sum) {
        free(max);
        free(sum);
        return;
    }
    for (long c = 0; c < cols; c++) {
        max[c] = -INFINITY;
        sum[c] = 0;
    }
    for (long r = 0; r < rows; r++) {
        const float *row = x + r * ld;
        for (long c = 0; c < cols; c++) max[c] = max[c] > row[c] ? max[c] : row[c];
    }
    for (long r = 0; r < rows; r++) {
        float *row = x + r * ld;
        for (long c = 0; c < cols; c++) {
            float e = sam_expf(row[c] - max[c]);
            row[c] = e;
            sum[c] += e;
        }
    }
    for (long c = 0; c < cols; c++) sum[c] = 1.0f / sum[c];
    for (long r = 0; r < rows; r++) {
        float *row = x + r * ld;
        for (long c = 0; c < cols; c++) row[c] *= sum[c];
    }
    free(max);
    free(sum);
}
