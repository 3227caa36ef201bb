// Resampling: the 8-bit triangle-filter resize that Segment Anything's preprocessing gets from
// Pillow, and PyTorch-style bilinear interpolation of float planes for mask postprocessing.
#include <stdlib.h>
#include "CSAMKernels.h"
#include "Internal.h"

enum { SAM_FIXED_BITS = 22 };  // 32 bits - 8 for the pixel - 2 of headroom for overshoot

/// Filter taps of a 1-D triangle resampling from in_size to out_size samples: for each output
/// sample its first input index, tap count, and fixed-point weights (ksize slots per sample).
/// The triangle widens by the downscale factor so downscaling averages (antialiasing).
static int sam_triangle_taps(long in_size, long out_size, long *first, long *count,
                             int32_t **weights_out, long *ksize_out) {
    double scale = (double)in_size / (double)out_size;
    double filter_scale = scale < 1.0 ? 1.0 : scale;
    double support = 1.0 * filter_scale;
    long ksize = (long)ceil(support) * 2 + 1;
    int32_t *weights = malloc((size_t)(out_size * ksize) * sizeof(int32_t));
    double *w = malloc((size_t)ksize * sizeof(double));
    if (!weights || !w) {
        free(weights);
        free(w);
        return -1;
    }
    for (long o = 0; o < out_size; o++) {
        double center = ((double)o + 0.5) * scale;
        long lo = (long)(center - support + 0.5);
        if (lo < 0) lo = 0;
        long hi = (long)(center + support + 0.5);
        if (hi > in_size) hi = in_size;
        long n = hi - lo;
        double total = 0.0;
        for (long j = 0; j < n; j++) {
            double d = fabs(((double)(lo + j) - center + 0.5) / filter_scale);
            w[j] = d < 1.0 ? 1.0 - d : 0.0;
            total += w[j];
        }
        int32_t *dst = weights + o * ksize;
        for (long j = 0; j < ksize; j++) {
            double v = (j < n && total != 0.0) ? w[j] / total : 0.0;
            // Round half away from zero to SAM_FIXED_BITS fractional bits.
            double scaled = v * (double)(1 << SAM_FIXED_BITS);
            dst[j] = (int32_t)(v < 0 ? scaled - 0.5 : scaled + 0.5);
        }
        first[o] = lo;
        count[o] = n;
    }
    free(w);
    *weights_out = weights;
    *ksize_out = ksize;
    return 0;
}

SAM_INLINE uint8_t sam_fixed_to_u8(int32_t acc) {
    int32_t v = acc >> SAM_FIXED_BITS;  // arithmetic shift: floor
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

int sam_resize_rgb8_bilinear(const uint8_t *in, long in_width, long in_height,
                             uint8_t *out, long out_width, long out_height, uint8_t *tmp) {
    long *xfirst = malloc((size_t)out_width * sizeof(long)), *xcount = malloc((size_t)out_width * sizeof(long));
    long *yfirst = malloc((size_t)out_height * sizeof(long)), *ycount = malloc((size_t)out_height * sizeof(long));
    int32_t *xw = NULL, *yw = NULL;
    long xk = 0, yk = 0;
    int status = -1;
    if (!xfirst || !xcount || !yfirst || !ycount) goto done;
    if (sam_triangle_taps(in_height, out_height, yfirst, ycount, &yw, &yk) != 0) goto done;

    // Horizontal pass over the input rows the vertical pass will read; skipped when the width
    // does not change (then the vertical pass reads the input directly).
    const uint8_t *rows = in;
    long row_offset = 0;
    if (out_width != in_width) {
        if (sam_triangle_taps(in_width, out_width, xfirst, xcount, &xw, &xk) != 0) goto done;
        long y_begin = yfirst[0];
        long y_end = yfirst[out_height - 1] + ycount[out_height - 1];
        for (long y = y_begin; y < y_end; y++) {
            const uint8_t *src = in + y * in_width * 3;
            uint8_t *dst = tmp + (y - y_begin) * out_width * 3;
            for (long x = 0; x < out_width; x++) {
                const int32_t *k = xw + x * xk;
                const uint8_t *s = src + xfirst[x] * 3;
                int32_t r = 1 << (SAM_FIXED_BITS - 1), g = r, b = r;
                for (long j = 0; j < xcount[x]; j++) {
                    r += s[j * 3 + 0] * k[j];
                    g += s[j * 3 + 1] * k[j];
                    b += s[j * 3 + 2] * k[j];
                }
                dst[x * 3 + 0] = sam_fixed_to_u8(r);
                dst[x * 3 + 1] = sam_fixed_to_u8(g);
                dst[x * 3 + 2] = sam_fixed_to_u8(b);
            }
        }
        rows = tmp;
        row_offset = y_begin;
    }

    if (out_height != in_height) {
        for (long y = 0; y < out_height; y++) {
            const int32_t *k = yw + y * yk;
            const uint8_t *base = rows + (yfirst[y] - row_offset) * out_width * 3;
            uint8_t *dst = out + y * out_width * 3;
            for (long i = 0; i < out_width * 3; i++) {
                int32_t acc = 1 << (SAM_FIXED_BITS - 1);
                for (long j = 0; j < ycount[y]; j++) acc += base[j * out_width * 3 + i] * k[j];
                dst[i] = sam_fixed_to_u8(acc);
            }
        }
    } else {
        memcpy(out, rows, (size_t)(out_width * out_height * 3));
    }
    status = 0;
done:
    free(xfirst);
    free(xcount);
    free(yfirst);
    free(ycount);
    free(xw);
    free(yw);
    return status;
}

SAM_MULTIVERSION void sam_resize_bilinear_plane(const float *in, long in_width, long in_height,
                                                long in_stride, long out_width, long out_height,
                                                long out_cols, long oy0, long oy1, float *out,
                                                long out_stride) {
    const double sy = (double)in_height / (double)out_height;
    const double sx = (double)in_width / (double)out_width;
    // Column taps are the same for every row.
    long *x0 = malloc((size_t)out_cols * sizeof(long));
    long *x1 = malloc((size_t)out_cols * sizeof(long));
    float *lx = malloc((size_t)out_cols * sizeof(float));
    if (!x0 || !x1 || !lx) {
        free(x0);
        free(x1);
        free(lx);
        return;
    }
    for (long x = 0; x < out_cols; x++) {
        double src = ((double)x + 0.5) * sx - 0.5;
        if (src < 0) src = 0;
        long i = (long)src;
        x0[x] = i;
        x1[x] = i < in_width - 1 ? i + 1 : i;
        lx[x] = (float)(src - (double)i);
    }
    for (long y = oy0; y < oy1; y++) {
        double src = ((double)y + 0.5) * sy - 0.5;
        if (src < 0) src = 0;
        long i = (long)src;
        long j = i < in_height - 1 ? i + 1 : i;
        float ly = (float)(src - (double)i);
        const float *r0 = in + i * in_stride, *r1 = in + j * in_stride;
        float *dst = out + y * out_stride;
        for (long x = 0; x < out_cols; x++) {
            float top = r0[x0[x]] + (r0[x1[x]] - r0[x0[x]]) * lx[x];
            float bottom = r1[x0[x]] + (r1[x1[x]] - r1[x0[x]]) * lx[x];
            dst[x] = top + (bottom - top) * ly;
        }
    }
    free(x0);
    free(x1);
    free(lx);
}
