// See include/cpng.h. Every libpng call that can fail runs under a setjmp in this file.
#include "cpng.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Shared state of one read or write: the memory source or sink and the failure details.
typedef struct {
    const uint8_t *data;   // read: the whole PNG
    size_t size;
    size_t position;
    uint8_t *out;          // write: growing output buffer
    size_t out_size;
    size_t out_capacity;
    int truncated;         // the read callback ran past the end of the data
    int out_of_memory;
    cpng_error *error;
} cpng_context;

static void set_message(cpng_error *error, const char *message) {
    if (error == NULL) return;
    snprintf(error->message, sizeof error->message, "%s", message ? message : "unknown libpng error");
}

static void on_error(png_structp png, png_const_charp message) {
    cpng_context *context = (cpng_context *)png_get_error_ptr(png);
    if (context != NULL) {
        set_message(context->error, message);
        if (message != NULL && strstr(message, "ut of memory") != NULL) context->out_of_memory = 1;
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    // Warnings (e.g. a bad ancillary chunk that libpng skips) are not failures; stay silent.
    (void)png;
    (void)message;
}

static void read_from_memory(png_structp png, png_bytep destination, size_t length) {
    cpng_context *context = (cpng_context *)png_get_io_ptr(png);
    if (length > context->size - context->position) {
        context->truncated = 1;
        png_error(png, "data ends early");
    }
    memcpy(destination, context->data + context->position, length);
    context->position += length;
}

static void write_to_memory(png_structp png, png_bytep source, size_t length) {
    cpng_context *context = (cpng_context *)png_get_io_ptr(png);
    if (length > context->out_capacity - context->out_size) {
        size_t capacity = context->out_capacity ? context->out_capacity : 4096;
        while (capacity - context->out_size < length) {
            if (capacity > SIZE_MAX / 2) {
                context->out_of_memory = 1;
                png_error(png, "Out of memory: output too large");
            }
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(context->out, capacity);
        if (grown == NULL) {
            context->out_of_memory = 1;
            png_error(png, "Out of memory");
        }
        context->out = grown;
        context->out_capacity = capacity;
    }
    memcpy(context->out + context->out_size, source, length);
    context->out_size += length;
}

static void flush_memory(png_structp png) { (void)png; }

static cpng_code failure_code(const cpng_context *context) {
    if (context->truncated) return CPNG_TRUNCATED;
    if (context->out_of_memory) return CPNG_NO_MEMORY;
    return CPNG_CORRUPT;
}

/// Checks the 8-byte signature; fills `error` and returns non-OK when it is wrong or cut short.
static cpng_code check_signature(const uint8_t *data, size_t size, cpng_error *error) {
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    size_t n = size < 8 ? size : 8;
    if (memcmp(data, signature, n) != 0) {
        set_message(error, "not a PNG file (bad signature)");
        return CPNG_CORRUPT;
    }
    if (size < 8) {
        set_message(error, "data ends inside the PNG signature");
        return CPNG_TRUNCATED;
    }
    return CPNG_OK;
}

/// Creates the libpng read structures for an in-memory PNG. Returns non-OK on failure.
static cpng_code create_reader(cpng_context *context, png_structp *png, png_infop *info) {
    *png = png_create_read_struct(PNG_LIBPNG_VER_STRING, context, on_error, on_warning);
    if (*png == NULL) {
        set_message(context->error, "out of memory (libpng read struct)");
        return CPNG_NO_MEMORY;
    }
    *info = png_create_info_struct(*png);
    if (*info == NULL) {
        png_destroy_read_struct(png, NULL, NULL);
        set_message(context->error, "out of memory (libpng info struct)");
        return CPNG_NO_MEMORY;
    }
    png_set_read_fn(*png, context, read_from_memory);
    // The caller applies its own pixel limit before allocating; let libpng accept any size the
    // format allows so that the limit, not libpng's default of 1,000,000 columns, decides.
    png_set_user_limits(*png, 0x7fffffff, 0x7fffffff);
    return CPNG_OK;
}

static void fill_info(png_structp png, png_infop info, cpng_info *out) {
    memset(out, 0, sizeof *out);
    out->width = png_get_image_width(png, info);
    out->height = png_get_image_height(png, info);
    out->bit_depth = png_get_bit_depth(png, info);
    out->color_type = png_get_color_type(png, info);
    out->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
    switch (out->color_type) {
    case PNG_COLOR_TYPE_GRAY: out->channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: out->channels = 2; break;
    case PNG_COLOR_TYPE_RGB: out->channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: out->channels = 4; break;
    case PNG_COLOR_TYPE_PALETTE: out->channels = 1; break;
    default: out->channels = 0; break;
    }
    png_colorp palette = NULL;
    int count = 0;
    if (png_get_valid(png, info, PNG_INFO_PLTE) && png_get_PLTE(png, info, &palette, &count) && palette) {
        if (count > 256) count = 256;
        out->palette_count = count;
        for (int i = 0; i < count; i++) {
            out->palette[3 * i] = palette[i].red;
            out->palette[3 * i + 1] = palette[i].green;
            out->palette[3 * i + 2] = palette[i].blue;
        }
    }
}

cpng_code cpng_read_info(const uint8_t *data, size_t size, cpng_info *out, cpng_error *error) {
    set_message(error, "");
    if (data == NULL || out == NULL) {
        set_message(error, "no data");
        return CPNG_BAD_ARGUMENT;
    }
    cpng_code code = check_signature(data, size, error);
    if (code != CPNG_OK) return code;

    cpng_context context = {.data = data, .size = size, .error = error};
    png_structp png = NULL;
    png_infop info = NULL;
    code = create_reader(&context, &png, &info);
    if (code != CPNG_OK) return code;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return failure_code(&context);
    }
    png_read_info(png, info);
    fill_info(png, info, out);
    png_destroy_read_struct(&png, &info, NULL);
    if (out->channels == 0) {
        set_message(error, "unknown colour type");
        return CPNG_CORRUPT;
    }
    return CPNG_OK;
}

cpng_code cpng_read_pixels(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cpng_error *error) {
    set_message(error, "");
    if (data == NULL || out == NULL) {
        set_message(error, "no data or no output buffer");
        return CPNG_BAD_ARGUMENT;
    }
    cpng_code code = check_signature(data, size, error);
    if (code != CPNG_OK) return code;

    cpng_context context = {.data = data, .size = size, .error = error};
    png_structp png = NULL;
    png_infop info = NULL;
    code = create_reader(&context, &png, &info);
    if (code != CPNG_OK) return code;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return failure_code(&context);
    }
    png_read_info(png, info);
    cpng_info header;
    fill_info(png, info, &header);
    if (header.channels == 0) png_error(png, "unknown colour type");

    if (header.bit_depth < 8) png_set_packing(png);  // one byte per sample, value unchanged
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (header.bit_depth == 16) png_set_swap(png);   // PNG stores big-endian; hand out host order
#endif
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t bytes_per_sample = header.bit_depth == 16 ? 2 : 1;
    size_t row_bytes = (size_t)header.width * (size_t)header.channels * bytes_per_sample;
    if (header.height != 0 && row_bytes > SIZE_MAX / header.height) png_error(png, "image too large for memory");
    if (row_bytes * header.height != out_size) {
        png_destroy_read_struct(&png, &info, NULL);
        set_message(error, "output buffer size does not match the image");
        return CPNG_BAD_ARGUMENT;
    }
    if (png_get_rowbytes(png, info) != row_bytes) png_error(png, "unexpected row size after transformations");

    rows = (png_bytep *)malloc(sizeof(png_bytep) * (header.height ? header.height : 1));
    if (rows == NULL) {
        context.out_of_memory = 1;
        png_error(png, "Out of memory (row pointers)");
    }
    for (uint32_t y = 0; y < header.height; y++) rows[y] = out + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    rows = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    return CPNG_OK;
}

cpng_code cpng_write(const void *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                     int compression_level, uint8_t **out, size_t *out_size, cpng_error *error) {
    set_message(error, "");
    if (out == NULL || out_size == NULL || (pixels == NULL && width && height)) {
        set_message(error, "no pixels or no output");
        return CPNG_BAD_ARGUMENT;
    }
    *out = NULL;
    *out_size = 0;
    if (!((channels == 1 && (bit_depth == 8 || bit_depth == 16)) || (channels == 3 && bit_depth == 8))) {
        set_message(error, "only gray 8/16-bit and RGB 8-bit can be written");
        return CPNG_BAD_ARGUMENT;
    }
    if (width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff) {
        set_message(error, "PNG dimensions must be between 1 and 2^31-1");
        return CPNG_BAD_ARGUMENT;
    }

    cpng_context context = {.error = error};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    if (png == NULL) {
        set_message(error, "out of memory (libpng write struct)");
        return CPNG_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        set_message(error, "out of memory (libpng info struct)");
        return CPNG_NO_MEMORY;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(context.out);
        png_destroy_write_struct(&png, &info);
        return context.out_of_memory ? CPNG_NO_MEMORY : CPNG_BAD_ARGUMENT;
    }
    png_set_write_fn(png, &context, write_to_memory, flush_memory);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    if (compression_level >= 0 && compression_level <= 9) png_set_compression_level(png, compression_level);
    png_set_IHDR(png, info, width, height, bit_depth, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(png);
#endif
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (rows == NULL) {
        context.out_of_memory = 1;
        png_error(png, "Out of memory (row pointers)");
    }
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    rows = NULL;
    png_destroy_write_struct(&png, &info);
    *out = context.out;
    *out_size = context.out_size;
    return CPNG_OK;
}

void cpng_free(void *buffer) { free(buffer); }
