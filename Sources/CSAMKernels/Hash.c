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

/// Slice-by-8 tables of the reflected CRC-32 polynomial 0xEDB88320, built on first use.
static uint32_t sam_crc_tables[8][256];
static int sam_crc_ready = 0;

static void sam_crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        sam_crc_tables[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) {
            uint32_t prev = sam_crc_tables[t - 1][i];
            sam_crc_tables[t][i] = (prev >> 8) ^ sam_crc_tables[0][prev & 0xFF];
        }
    }
    __atomic_store_n(&sam_crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t sam_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    // Building the tables twice from two threads is harmless: both write the same values.
    if (!__atomic_load_n(&sam_crc_ready, __ATOMIC_ACQUIRE)) sam_crc_init();
    uint32_t c = ~crc;
    while (count >= 8) {
        uint32_t lo = c ^ ((uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24);
        uint32_t hi = (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 | (uint32_t)bytes[6] << 16 | (uint32_t)bytes[7] << 24;
        c = sam_crc_tables[7][lo & 0xFF] ^ sam_crc_tables[6][(lo >> 8) & 0xFF] ^ sam_crc_tables[5][(lo >> 16) & 0xFF] ^
            sam_crc_tables[4][lo >> 24] ^ sam_crc_tables[3][hi & 0xFF] ^ sam_crc_tables[2][(hi >> 8) & 0xFF] ^
            sam_crc_tables[1][(hi >> 16) & 0xFF] ^ sam_crc_tables[0][hi >> 24];
        bytes += 8;
        count -= 8;
    }
    while (count--) c = sam_crc_tables[0][(c ^ *bytes++) & 0xFF] ^ (c >> 8);
    return ~c;
}
