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

/// erfc(z) for z >= 0 by the Chebyshev-fitted form t * exp(-z^2 + P(t)), t = 1 / (1 + z/2)
/// (fractional error below 1.2e-7 in exact arithmetic).
SAM_INLINE float sam_erfc_nonnegative(float z) {
    float t = 1.0f / (0.5f * z + 1.0f);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    return t * sam_expf(p - z * z);
}

/// The exact GELU, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)), written with erfc of |x| so that
/// both tails keep their relative precision.
SAM_INLINE float sam_gelu_value(float x) {
    float e = sam_erfc_nonnegative(fabsf(x) * 0.70710678118654752f);
    float positive = x * (1.0f - 0.5f * e);
    float negative = 0.5f * x * e;
    return x >= 0.0f ? positive : negative;
}

#endif
