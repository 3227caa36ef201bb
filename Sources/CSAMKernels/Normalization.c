// Layer norm and softmax over rows.
#include "CSAMKernels.h"
#include "Internal.h"

/// Sum of n floats with 16 independent partial sums (vectorises; the order is fixed, so results
/// are reproducible run to run).
SAM_INLINE float sam_sum(const float *x, long n) {
    float acc[16] = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += x[i + j];
    float s = 0;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += x[i];
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

SAM_MULTIVERSION void sam_layer_norm(const float *x, float *y, const float *gamma, const float *beta,
                                     long rows, long cols, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *in = x + r * cols;
        float *out = y + r * cols;
        float mean = sam_sum(in, cols) / (float)cols;
        float acc[16] = {0};
        long i = 0;
        for (; i + 16 <= cols; i += 16)
            for (int j = 0; j < 16; j++) {
                float d = in[i + j] - mean;
                acc[j] = (d * d + acc[j]);
            }
        float var = 0;
        for (int j = 0; j < 16; j++) var += acc[j];
        for (; i < cols; i++) var += (in[i] - mean) * (in[i] - mean);
        var /= (float)cols;
        float inv = 1.0f / sqrtf(var + eps);
        for (long c = 0; c < cols; c++) out[c] = (in[c] - mean) * inv * gamma[c] + beta[c];
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
