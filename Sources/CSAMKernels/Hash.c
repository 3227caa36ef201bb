// A fast 128-bit content hash for cache keys (not cryptographic): two 64-bit FNV-1a-style lanes
// with different multipliers, so an accidental collision must happen in both at once.
#include "CSAMKernels.h"

void sam_hash_init(uint64_t state[2]) {
    state[0] = 0xcbf29ce484222325ULL;
    state[1] = 0x84222325cbf29ce4ULL;
}

void sam_hash_update(uint64_t state[2], const uint8_t *bytes, size_t count) {
    uint64_t a = state[0], b = state[1];
    for (size_t i = 0; i < count; i++) {
        a = (a ^ bytes[i]) * 0x100000001b3ULL;
        b = (b ^ bytes[i]) * 0x9e3779b97f4a7c15ULL;
        b ^= b >> 31;
    }
    state[0] = a;
    state[1] = b;
}
