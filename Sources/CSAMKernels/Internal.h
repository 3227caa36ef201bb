// Shared helpers of the CSAMKernels sources: per-ISA function cloning and vectorisable math.
#ifndef CSAM_INTERNAL_H
#define CSAM_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

// On x86-64 every hot function is compiled three times (AVX-512, AVX2+FMA, baseline SSE2) and the
// dynamic loader picks the best one for the running CPU, so one binary runs everywhere without
// SIGILL. Other architectures (arm64: NEON is baseline) get a single version.
#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define SAM_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SAM_MULTIVERSION
#endif

// Helpers are forced inline so that each per-ISA clone of a kernel gets its own vectorised copy
// (a helper left out of line would be compiled for the baseline ISA only).
#define SAM_INLINE static inline __attribute__((always_inline))

SAM_INLINE float sam_bits_to_float(int32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/// e^x with relative error about 2e-7, branch-free so loops over it vectorise. Inputs are clamped
/// to [-87, 88] (results below 1.7e-38 flush towards the smallest normal number).
SAM_INLINE float sam_expf(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    // Round x / ln2 to the nearest integer by adding and removing 1.5 * 2^23.
    const float shifter = 12582912.0f;
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    // x - n*ln2 in two steps (Cody-Waite): n * 0.693145751953125 is exact, so r keeps full
    // precision with or without fused multiply-add.
    float r = x - n * 0.693145751953125f;
    r = r - n * 1.428606765330187e-06f;
    // Minimax polynomial for e^r on [-ln2/2, ln2/2].
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + (r + 1.0f);
    return p * sam_bits_to_float(((int32_t)n + 127) << 23);
}

/// erf(z) by a rational minimax-style fit z P(z^2) / Q(z^2) on [0, 4] (degree 5 over 5, fitted
/// for s2m; absolute error 2e-8 in exact arithmetic, a few float ulps as evaluated), with z
/// clamped to [-4, 4] where erf is within 2e-8 of +-1.
SAM_INLINE float sam_erf(float z) {
    z = z < -4.0f ? -4.0f : (z > 4.0f ? 4.0f : z);
    const float s = z * z;
    float p = 1.9748292338845266e-06f;
    p = p * s + 0.0002880428349308475f;
    p = p * s + 0.004003685802093792f;
    p = p * s + 0.05346759841521378f;
    p = p * s + 0.19624984027205136f;
    p = p * s + 1.1283789763755208f;
    float q = 3.74809297083709e-05f;
    q = q * s + 0.0012163706622669765f;
    q = q * s + 0.015444499620796508f;
    q = q * s + 0.11647678938362667f;
    q = q * s + 0.5072530509136234f;
    q = q * s + 1.0f;
    return z * p / q;
}

/// The exact (erf) GELU, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)), to about 1e-6 of max(1, |x|).
SAM_INLINE float sam_gelu_value(float x) {
    return x * (0.5f + 0.5f * sam_erf(x * 0.70710678118654752f));
}

#endif
