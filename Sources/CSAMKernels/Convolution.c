// Convolution helpers on HWC images: im2col for dense convolutions (the GEMM is BLAS's),
// depthwise convolutions with a folded batch norm, and patch extraction from CHW input.
#include "CSAMKernels.h"
#include "Internal.h"

void sam_im2col_hwc(const float *in, long height, long width, long cin, long k, long stride,
                    long pad, long out_width, long oy0, long oy1, float *cols) {
    const long row_len = k * k * cin;
    for (long oy = oy0; oy < oy1; oy++) {
        for (long ox = 0; ox < out_width; ox++) {
            float *dst = cols + ((oy - oy0) * out_width + ox) * row_len;
            for (long ky = 0; ky < k; ky++) {
                long iy = oy * stride + ky - pad;
                for (long kx = 0; kx < k; kx++) {
                    long ix = ox * stride + kx - pad;
                    float *d = dst + (ky * k + kx) * cin;
                    if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                        memset(d, 0, (size_t)cin * sizeof(float));
                    } else {
                        memcpy(d, in + (iy * width + ix) * cin, (size_t)cin * sizeof(float));
                    }
                }
            }
        }
    }
}

// The kernels below accumulate a block of channels in a fixed-size local array so that the
// compiler keeps it in vector registers; blocks of 64, 32 and 16 channels are compiled, then a
// scalar tail.
#define SAM_DEPTHWISE_BLOCK(WIDTH)                                                            \
    {                                                                                         \
        float acc[WIDTH];                                                                     \
        for (int j = 0; j < WIDTH; j++) acc[j] = 0.0f;                                        \
        for (long ky = 0; ky < k; ky++) {                                                     \
            long iy = oy * stride + ky - pad;                                                 \
            if (iy < 0 || iy >= height) continue;                                             \
            for (long kx = 0; kx < k; kx++) {                                                 \
                long ix = ox * stride + kx - pad;                                             \
                if (ix < 0 || ix >= width) continue;                                          \
                const float *ip = in + ((iy - in_row0) * width + ix) * channels + c0;         \
                const float *wp = weight + (ky * k + kx) * channels + c0;                     \
                for (int j = 0; j < WIDTH; j++) acc[j] += ip[j] * wp[j];                      \
            }                                                                                 \
        }                                                                                     \
        if (gelu) {                                                                           \
            for (int j = 0; j < WIDTH; j++)                                                   \
                o[c0 + j] = sam_gelu_value(acc[j] * scale[c0 + j] + shift[c0 + j]);           \
        } else {                                                                              \
            for (int j = 0; j < WIDTH; j++) o[c0 + j] = acc[j] * scale[c0 + j] + shift[c0 + j]; \
        }                                                                                     \
        c0 += WIDTH;                                                                          \
    }

SAM_MULTIVERSION void sam_depthwise_conv_hwc(const float *in, long in_row0, long height, long width,
                                             long channels, const float *weight, long k, long stride,
                                             long pad, const float *scale, const float *shift, int gelu,
                                             long out_width, long oy0, long oy1, float *out) {
    for (long oy = oy0; oy < oy1; oy++) {
        for (long ox = 0; ox < out_width; ox++) {
            float *o = out + ((oy - oy0) * out_width + ox) * channels;
            long c0 = 0;
            while (channels - c0 >= 64) SAM_DEPTHWISE_BLOCK(64)
            if (channels - c0 >= 32) SAM_DEPTHWISE_BLOCK(32)
            if (channels - c0 >= 16) SAM_DEPTHWISE_BLOCK(16)
            while (channels - c0 >= 1) SAM_DEPTHWISE_BLOCK(1)
        }
    }
}

#define SAM_DIRECT_BLOCK(WIDTH)                                                               \
    {                                                                                         \
        float acc[WIDTH];                                                                     \
        for (int j = 0; j < WIDTH; j++) acc[j] = bias[c0 + j];                                \
        for (long ky = 0; ky < k; ky++) {                                                     \
            long iy = oy * stride + ky - pad;                                                 \
            if (iy < 0 || iy >= height) continue;                                             \
            for (long kx = 0; kx < k; kx++) {                                                 \
                long ix = ox * stride + kx - pad;                                             \
                if (ix < 0 || ix >= width) continue;                                          \
                const float *ip = in + (iy * width + ix) * cin;                               \
                const float *wp = weight + ((ky * k + kx) * cin) * cout + c0;                 \
                for (long ci = 0; ci < cin; ci++) {                                           \
                    float v = ip[ci];                                                         \
                    const float *w = wp + ci * cout;                                          \
                    for (int j = 0; j < WIDTH; j++) acc[j] += v * w[j];                       \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        if (gelu) {                                                                           \
            for (int j = 0; j < WIDTH; j++) o[c0 + j] = sam_gelu_value(acc[j]);               \
        } else {                                                                              \
            for (int j = 0; j < WIDTH; j++) o[c0 + j] = acc[j];                               \
        }                                                                                     \
        c0 += WIDTH;                                                                          \
    }

SAM_MULTIVERSION void sam_conv_direct_hwc(const float *in, long height, long width, long cin,
                                          const float *weight, const float *bias, long cout, long k,
                                          long stride, long pad, int gelu, long out_width, long oy0,
                                          long oy1, float *out) {
    for (long oy = oy0; oy < oy1; oy++) {
        for (long ox = 0; ox < out_width; ox++) {
            float *o = out + (oy * out_width + ox) * cout;
            long c0 = 0;
            while (cout - c0 >= 64) SAM_DIRECT_BLOCK(64)
            if (cout - c0 >= 32) SAM_DIRECT_BLOCK(32)
            if (cout - c0 >= 16) SAM_DIRECT_BLOCK(16)
            while (cout - c0 >= 1) SAM_DIRECT_BLOCK(1)
        }
    }
}

void sam_patchify_chw(const float *in, long channels, long height, long width, long patch,
                      long py0, long py1, float *out) {
    const long grid_w = width / patch;
    const long row_len = channels * patch * patch;
    for (long py = py0; py < py1; py++) {
        for (long px = 0; px < grid_w; px++) {
            float *dst = out + ((py - py0) * grid_w + px) * row_len;
            for (long c = 0; c < channels; c++) {
                for (long y = 0; y < patch; y++) {
                    const float *src = in + (c * height + py * patch + y) * width + px * patch;
                    memcpy(dst + (c * patch + y) * patch, src, (size_t)patch * sizeof(float));
                }
            }
        }
    }
}
