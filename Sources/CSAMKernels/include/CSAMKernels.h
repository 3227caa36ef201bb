// Hot loops of the Segment Anything implementation (S2MSAM), in portable C.
//
// Layout conventions: activations are row-major "token" matrices, one row per pixel/token and
// one column per channel (HWC for images), unless a function says otherwise. Counts are element
// counts. Every function works on the ranges it is given, so callers split work across threads
// by rows (the functions themselves never start threads).
#ifndef CSAM_KERNELS_H
#define CSAM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Element-wise

/// x[i] = gelu(x[i]) with the exact (erf) GELU, for i in [0, n).
void sam_gelu(float *x, long n);
/// x[r][c] += bias[c] for a rows x cols matrix.
void sam_add_bias(float *x, const float *bias, long rows, long cols);
/// x[r][c] = gelu(x[r][c] + bias[c]).
void sam_add_bias_gelu(float *x, const float *bias, long rows, long cols);
/// x[r][c] = max(0, x[r][c] + bias[c]).
void sam_add_bias_relu(float *x, const float *bias, long rows, long cols);
/// y[i] += x[i].
void sam_add(float *y, const float *x, long n);
/// out[i] = a[i] + b[i].
void sam_add_to(float *out, const float *a, const float *b, long n);
/// out[c][r] = in[r][c]: transposes a rows x cols matrix.
void sam_transpose(const float *in, float *out, long rows, long cols);
/// x[r][c] *= scale[r] (folds a per-output-channel scale into a weight matrix).
void sam_scale_rows(float *x, const float *scale, long rows, long cols);
/// Permutes the axes of a 4-D array: out has axes (in axis perm[0], ..., in axis perm[3]).
void sam_permute4(const float *in, const long dims[4], const int perm[4], float *out);

// MARK: - Layout helpers of the models

/// TinyViT's attention biases for one window of ws x ws tokens: out[h][a][b] =
/// table[h][|ay - by| * ws + |ax - bx|] for token positions a, b (row-major in the window).
void sam_expand_attention_bias(const float *table, long heads, long ws, float *out);
/// Scatters a 2x2-stride-2 transposed convolution's per-pixel outputs: blocks holds, per input
/// pixel of a size x size map, 4 * cout values ordered (dy, dx, channel); out is the
/// 2size x 2size x cout map; bias is added. Input rows [y0, y1).
void sam_scatter_2x2(const float *blocks, long size, long cout, const float *bias, long y0, long y1,
                     float *out);
/// Converts interleaved 8-bit RGB (width x height) to three float planes through per-channel
/// lookup tables (tables[c * 256 + v]); plane c starts at out + c * plane_stride and has row
/// stride out_stride.
void sam_rgb8_to_planes(const uint8_t *rgb, long width, long height, const float *tables,
                        float *out, long out_stride, long plane_stride);

// MARK: - Normalisation and softmax

/// Layer norm over each row: y = (x - mean) / sqrt(var + eps) * gamma + beta (biased variance).
/// `y` may equal `x`.
void sam_layer_norm(const float *x, float *y, const float *gamma, const float *beta,
                    long rows, long cols, float eps);
/// sam_layer_norm that also stores each row's mean and 1 / sqrt(var + eps) (rows values each).
void sam_layer_norm_stats(const float *x, float *y, const float *gamma, const float *beta,
                          long rows, long cols, float eps, float *mean, float *rstd);
/// z[r][c] = rstd[r] * (z[r][c] + add[c] - mean[r] * colsum[c]) + shift[c]: one layer norm
/// carried through a linear map (see MaskDecoder's upscaling).
void sam_normalized_update(float *z, const float *add, const float *mean, const float *rstd,
                           const float *colsum, const float *shift, long rows, long cols);
/// Softmax over each row of a rows x cols matrix (row stride `ld`), in place.
void sam_softmax_rows(float *x, long rows, long cols, long ld);
/// Softmax down each column of a rows x cols matrix (row stride ld), in place: for attention
/// scores stored transposed (keys x queries), vectorised across the columns.
void sam_softmax_columns(float *x, long rows, long cols, long ld);
/// Softmax over each of `rows` contiguous segments of `cols` values, for short segments (a few
/// prompt tokens): exponentials are taken over the whole buffer in one vectorised pass.
void sam_softmax_segments(float *x, long rows, long cols);
/// For each row r: x[r][:] += bias[r][:] (bias row stride `ld_bias`), then softmax in place.
void sam_add_softmax_rows(float *x, const float *bias, long rows, long cols, long ld, long ld_bias);

// MARK: - Convolution helpers (HWC layout)

/// im2col for a k x k convolution over an HWC image: for output rows [oy0, oy1) writes one row per
/// output pixel, k*k*cin values ordered (ky, kx, channel), zero outside the image.
void sam_im2col_hwc(const float *in, long height, long width, long cin, long k, long stride,
                    long pad, long out_width, long oy0, long oy1, float *cols);
/// Depthwise k x k convolution over an HWC image for output rows [oy0, oy1): `weight` is
/// (ky, kx, channel), followed by out = out * scale[c] + shift[c] (folded batch norm) and GELU when
/// `gelu` is non-zero. `in` holds input rows starting at image row `in_row0` (so a band of rows
/// can be passed; rows the window needs must be present); `out` points at output row oy0.
void sam_depthwise_conv_hwc(const float *in, long in_row0, long height, long width, long channels,
                            const float *weight, long k, long stride, long pad,
                            const float *scale, const float *shift, int gelu,
                            long out_width, long oy0, long oy1, float *out);
/// Dense k x k convolution over an HWC image computed directly, for few input channels (where
/// im2col + GEMM wastes time): weight (ky, kx, cin, cout), bias (cout), GELU when `gelu` is
/// non-zero; output rows [oy0, oy1), `out` pointing at the full output image.
void sam_conv_direct_hwc(const float *in, long height, long width, long cin, const float *weight,
                         const float *bias, long cout, long k, long stride, long pad, int gelu,
                         long out_width, long oy0, long oy1, float *out);
/// Patches of a CHW image for a patch x patch convolution with stride = patch: one row per patch
/// (row-major over the patch grid) of channels*patch*patch values ordered (channel, y, x), for
/// patch rows [py0, py1).
void sam_patchify_chw(const float *in, long channels, long height, long width, long patch,
                      long py0, long py1, float *out);

// MARK: - Attention helpers

/// Copies token rows of an H x W x C map into windows of ws x ws tokens (windows row-major over
/// the padded grid, tokens row-major in each window). Positions beyond the map are filled with
/// `fill` (C values) or zeros when `fill` is NULL. Writes windows [w0, w1).
void sam_window_partition(const float *in, long height, long width, long channels, long ws,
                          const float *fill, long w0, long w1, float *out);
/// Inverse of sam_window_partition for windows [w0, w1): padding positions are dropped.
void sam_window_unpartition(const float *windows, long height, long width, long channels,
                            long ws, long w0, long w1, float *out);
/// Decomposed relative position terms of SAM's ViT attention for one head, for query rows
/// [r0, r1) of a size_h x size_w grid: rel_h[r][kh] = q[r] . rel_pos_h[qh - kh + size_h - 1] and
/// rel_w[r][kw] = q[r] . rel_pos_w[qw - kw + size_w - 1] (q rows have stride ldq, head_dim values).
void sam_rel_pos_terms(const float *q, long ldq, const float *rel_pos_h, const float *rel_pos_w,
                       long size_h, long size_w, long head_dim, long r0, long r1,
                       float *rel_h, float *rel_w);
/// For query rows [r0, r1): attn[r][kh * size_w + kw] += rel_h[r][kh] + rel_w[r][kw], then softmax
/// over the row. `attn` points at row r0 (row stride ld); rel_h/rel_w at row r0 too.
void sam_add_rel_pos_softmax(float *attn, long ld, const float *rel_h, const float *rel_w,
                             long size_h, long size_w, long rows);

// MARK: - Resampling

/// Resizes an interleaved 8-bit RGB image with a triangle (bilinear) filter whose support grows
/// with the downscale factor, in 22-bit fixed point with rounding: the resampling of Pillow's
/// Image.resize(BILINEAR), which Segment Anything's ResizeLongestSide uses. `tmp` must hold
/// out_width * in_height * 3 bytes. Returns 0, or -1 when out of memory.
int sam_resize_rgb8_bilinear(const uint8_t *in, long in_width, long in_height,
                             uint8_t *out, long out_width, long out_height, uint8_t *tmp);
/// Bilinear resampling of one float plane with align_corners = false, as PyTorch's
/// F.interpolate(mode="bilinear"): the in_width x in_height plane (row stride in_stride) is scaled
/// to out_width x out_height; only output columns [0, out_cols) of rows [oy0, oy1) are written,
/// to `out` with row stride out_stride (so a crop of the scaled plane costs only its own pixels).
void sam_resize_bilinear_plane(const float *in, long in_width, long in_height, long in_stride,
                               long out_width, long out_height, long out_cols,
                               long oy0, long oy1, float *out, long out_stride);

// MARK: - Hashing

/// 128-bit content hash (two independent 64-bit lanes) of `count` bytes, continuing from `state`
/// (initialise both lanes with sam_hash_init).
void sam_hash_init(uint64_t state[2]);
void sam_hash_update(uint64_t state[2], const uint8_t *bytes, size_t count);

/// CRC-32 (IEEE 802.3, as in zip archives) of `count` bytes, continuing from `crc` (start at 0).
uint32_t sam_crc32(uint32_t crc, const uint8_t *bytes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
