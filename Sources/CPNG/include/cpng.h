// cpng: a small C wrapper around libpng for s2m.
//
// libpng reports errors with longjmp; every setjmp lives inside cpng.c, so Swift never sees a
// non-local jump. Each call returns a cpng_code and fills a cpng_error with a one-line message.
#ifndef CPNG_H
#define CPNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What went wrong, as a code Swift maps onto S2MError.
typedef enum {
    CPNG_OK = 0,
    /// The data ends before the PNG does.
    CPNG_TRUNCATED = 1,
    /// Bad signature, bad CRC, bad zlib stream, invalid header values, ...
    CPNG_CORRUPT = 2,
    /// A valid PNG that this wrapper does not handle.
    CPNG_UNSUPPORTED = 3,
    /// Memory could not be allocated.
    CPNG_NO_MEMORY = 4,
    /// The caller passed inconsistent arguments (buffer too small, bad bit depth, ...).
    CPNG_BAD_ARGUMENT = 5
} cpng_code;

/// A one-line, NUL-terminated description of the last failure.
typedef struct {
    char message[256];
} cpng_error;

/// PNG colour types, as in the IHDR chunk.
enum {
    CPNG_COLOR_GRAY = 0,
    CPNG_COLOR_RGB = 2,
    CPNG_COLOR_PALETTE = 3,
    CPNG_COLOR_GRAY_ALPHA = 4,
    CPNG_COLOR_RGBA = 6
};

/// The header of a PNG, plus its palette when it has one.
typedef struct {
    uint32_t width;
    uint32_t height;
    /// Bits per sample as stored: 1, 2, 4, 8 or 16 (palette: bits per index).
    int bit_depth;
    /// One of the CPNG_COLOR_* values.
    int color_type;
    /// Samples per pixel in the decoded output: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA, 1 palette index.
    int channels;
    /// 1 for Adam7 interlacing, 0 otherwise.
    int interlaced;
    /// Number of palette entries (0 when there is no PLTE chunk).
    int palette_count;
    /// Palette entries as r, g, b bytes.
    uint8_t palette[256 * 3];
} cpng_info;

/// Reads the header of the PNG in `data[0..<size]` without decoding pixels.
cpng_code cpng_read_info(const uint8_t *data, size_t size, cpng_info *info, cpng_error *error);

/// Decodes every pixel of the PNG in `data[0..<size]` into `out`, row-major, `info->channels`
/// samples per pixel, one byte per sample for bit depths 1..8 (values kept as stored: a 2-bit gray
/// pixel gives 0...3, a palette pixel gives its index) and two bytes per sample in host byte order
/// for 16-bit images. `out_size` must be exactly width * height * channels * (bit_depth == 16 ? 2 : 1).
/// Interlaced images are de-interlaced. The whole file is checked, including the data after the image.
cpng_code cpng_read_pixels(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cpng_error *error);

/// Encodes a non-interlaced PNG: `channels` 1 (gray) or 3 (RGB), `bit_depth` 8 or 16 (16 only for gray).
/// `pixels` holds width * height * channels samples, one byte each (8-bit) or uint16_t in host byte
/// order (16-bit). On success `*out` is a malloc'd buffer of `*out_size` bytes that the caller
/// releases with cpng_free.
cpng_code cpng_write(const void *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                     int compression_level, uint8_t **out, size_t *out_size, cpng_error *error);

/// Releases a buffer returned by cpng_write.
void cpng_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif
