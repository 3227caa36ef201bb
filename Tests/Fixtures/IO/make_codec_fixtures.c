// One-off generator of the small JPEG and WebP fixtures in this folder (run once, output
// committed). Build and run from this folder:
//   cc make_codec_fixtures.c -lturbojpeg -lwebp -o /tmp/make_codec_fixtures && /tmp/make_codec_fixtures
// The pixel values here are repeated in Tests/S2MCoreTests/IOCodecTests.swift.
#include <stdio.h>
#include <stdlib.h>
#include <turbojpeg.h>
#include <webp/encode.h>

static void save(const char *name, const unsigned char *data, unsigned long size) {
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(data, 1, size, f) != size) { perror(name); exit(1); }
    fclose(f);
}

static void jpeg(const char *name, const unsigned char *pixels, int w, int h, int format, int subsamp, int flags) {
    tjhandle t = tjInitCompress();
    unsigned char *out = NULL;
    unsigned long size = 0;
    if (tjCompress2(t, pixels, w, 0, h, format, &out, &size, subsamp, 100, flags) != 0) {
        fprintf(stderr, "%s: %s\n", name, tjGetErrorStr2(t));
        exit(1);
    }
    save(name, out, size);
    tjFree(out);
    tjDestroy(t);
}

int main(void) {
    // 16x8 RGB: left 8x8 block (200, 30, 40), right block (20, 120, 220); 4:4:4, quality 100.
    unsigned char two[16 * 8 * 3];
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++) {
            unsigned char *p = two + 3 * (y * 16 + x);
            if (x < 8) { p[0] = 200; p[1] = 30; p[2] = 40; } else { p[0] = 20; p[1] = 120; p[2] = 220; }
        }
    jpeg("two_blocks_444.jpg", two, 16, 8, TJPF_RGB, TJSAMP_444, 0);
    jpeg("two_blocks_progressive.jpg", two, 16, 8, TJPF_RGB, TJSAMP_444, TJFLAG_PROGRESSIVE);

    // 8x8 grayscale, value 77.
    unsigned char gray[64];
    for (int i = 0; i < 64; i++) gray[i] = 77;
    jpeg("gray_77.jpg", gray, 8, 8, TJPF_GRAY, TJSAMP_GRAY, 0);

    // 64x48 smooth gradient, 4:2:0: r = 4x, g = 5y, b = 128 (for truncation tests).
    unsigned char grad[64 * 48 * 3];
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++) {
            unsigned char *p = grad + 3 * (y * 64 + x);
            p[0] = (unsigned char)(4 * x); p[1] = (unsigned char)(5 * y); p[2] = 128;
        }
    jpeg("gradient_420.jpg", grad, 64, 48, TJPF_RGB, TJSAMP_420, 0);

    // WebP lossless 3x2 with exact values, and RGBA lossless whose alpha must be dropped.
    unsigned char small[3 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    unsigned char *out = NULL;
    size_t size = WebPEncodeLosslessRGB(small, 3, 2, 9, &out);
    if (!size) { fprintf(stderr, "webp lossless failed\n"); return 1; }
    save("lossless_3x2.webp", out, size);
    WebPFree(out);
    unsigned char rgba[2 * 1 * 4] = {10, 20, 30, 1, 200, 100, 50, 128};  // alpha 0 would let the encoder drop RGB
    size = WebPEncodeLosslessRGBA(rgba, 2, 1, 8, &out);
    if (!size) { fprintf(stderr, "webp rgba failed\n"); return 1; }
    save("lossless_rgba_2x1.webp", out, size);
    WebPFree(out);
    // WebP lossy 64x48 gradient (for truncation tests and lossy decoding).
    size = WebPEncodeRGB(grad, 64, 48, 64 * 3, 90, &out);
    if (!size) { fprintf(stderr, "webp lossy failed\n"); return 1; }
    save("gradient_lossy.webp", out, size);
    WebPFree(out);
    return 0;
}
