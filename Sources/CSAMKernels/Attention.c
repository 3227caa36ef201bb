// Attention helpers: window partitioning and SAM's decomposed relative positions.
#include "CSAMKernels.h"
#include "Internal.h"

void sam_window_partition(const float *in, long height, long width, long channels, long ws,
                          const float *fill, long w0, long w1, float *out) {
    const long windows_x = (width + ws - 1) / ws;
    const size_t row_bytes = (size_t)channels * sizeof(float);
    for (long w = w0; w < w1; w++) {
        long wy = w / windows_x, wx = w % windows_x;
        for (long iy = 0; iy < ws; iy++) {
            long y = wy * ws + iy;
            for (long ix = 0; ix < ws; ix++) {
                long x = wx * ws + ix;
                float *dst = out + ((w * ws + iy) * ws + ix) * channels;
                if (y < height && x < width) {
                    memcpy(dst, in + (y * width + x) * channels, row_bytes);
                } else if (fill) {
                    memcpy(dst, fill, row_bytes);
                } else {
                    memset(dst, 0, row_bytes);
                }
            }
        }
    }
}

void sam_window_unpartition(const float *windows, long height, long width, long channels,
                            long ws, long w0, long w1, float *out) {
    const long windows_x = (width + ws - 1) / ws;
    const size_t row_bytes = (size_t)channels * sizeof(float);
    for (long w = w0; w < w1; w++) {
        long wy = w / windows_x, wx = w % windows_x;
        for (long iy = 0; iy < ws; iy++) {
            long y = wy * ws + iy;
            if (y >= height) break;
            for (long ix = 0; ix < ws; ix++) {
                long x = wx * ws + ix;
                if (x >= width) break;
                memcpy(out + (y * width + x) * channels,
                       windows + ((w * ws + iy) * ws + ix) * channels, row_bytes);
            }
        }
    }
}

SAM_INLINE float sam_dot(const float *a, const float *b, long n) {
    float acc[16] = {0};
    long i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] = (a[i + j] * b[i + j] + acc[j]);
    float s = 0;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s = (a[i] * b[i] + s);
    return s;
}

SAM_MULTIVERSION void sam_rel_pos_terms(const float *q, long ldq, const float *rel_pos_h,
                                        const float *rel_pos_w, long size_h, long size_w,
                                        long head_dim, long r0, long r1, float *rel_h, float *rel_w) {
    for (long r = r0; r < r1; r++) {
        long qh = r / size_w, qw = r % size_w;
        const float *qrow = q + r * ldq;
        float *rh = rel_h + (r - r0) * size_h;
        float *rw = rel_w + (r - r0) * size_w;
        for (long kh = 0; kh < size_h; kh++)
            rh[kh] = sam_dot(qrow, rel_pos_h + (qh - kh + size_h - 1) * head_dim, head_dim);
        for (long kw = 0; kw < size_w; kw++)
            rw[kw] = sam_dot(qrow, rel_pos_w + (qw - kw + size_w - 1) * head_dim, head_dim);
    }
}

SAM_MULTIVERSION void sam_add_rel_pos_softmax(float *attn, long ld, const float *rel_h,
                                              const float *rel_w, long size_h, long size_w,
                                              long rows) {
    const long n = size_h * size_w;
    for (long r = 0; r < rows; r++) {
        float *row = attn + r * ld;
        const float *rh = rel_h + r * size_h;
        const float *rw = rel_w + r * size_w;
        float m = -INFINITY;
        for (long kh = 0; kh < size_h; kh++) {
            float *seg = row + kh * size_w;
            float h = rh[kh];
            float mm[16];
            for (int j = 0; j < 16; j++) mm[j] = -INFINITY;
            long kw = 0;
            for (; kw + 16 <= size_w; kw += 16)
                for (int j = 0; j < 16; j++) {
                    float v = seg[kw + j] + h + rw[kw + j];
                    seg[kw + j] = v;
                    mm[j] = mm[j] > v ? mm[j] : v;
                }
            for (; kw < size_w; kw++) {
                float v = seg[kw] + h + rw[kw];
                seg[kw] = v;
                m = m > v ? m : v;
            }
            for (int j = 0; j < 16; j++) m = m > mm[j] ? m : mm[j];
        }
        float acc[16] = {0};
        long i = 0;
        for (; i + 16 <= n; i += 16)
            for (int j = 0; j < 16; j++) {
                float e = sam_expf(row[i + j] - m);
                row[i + j] = e;
                acc[j] += e;
            }
        float s = 0;
        for (int j = 0; j < 16; j++) s += acc[j];
        for (; i < n; i++) {
            float e = sam_expf(row[i] - m);
            row[i] = e;
            s += e;
        }
        float inv = 1.0f / s;
        for (long c = 0; c < n; c++) row[c] *= inv;
    }
}
