/* MD5 (RFC 1321) of one stream, or of 8 or 16 streams side by side in vector lanes; written for Vellum and checked
 * against BoringSSL on every length and lane count by Tests/VellumTests/MD5LanesTests.swift. */
#include "md5lanes.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);  // MD5 is little-endian, like every CPU this builds for
    return v;
}

/* The 64 steps of MD5's compression function, unrolled (rotations are immediates). They use ADD, SET1, ROTL and the
 * round functions FF, GG, HH, II, defined for scalars and for each vector width below, and the words M(0..15). */
#define STEP(fn, a, b, c, d, i, w, r)                          \
    a = ADD(fn(b, c, d), EARLY(ADD(a, ADD(M(w), SET1((int)K[i]))))); \
    a = ADD(ROTL(a, r), b);
#define ROUND(fn, i, w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15, r0, r1, r2, r3) \
    STEP(fn, a, b, c, d, i + 0, w0, r0) STEP(fn, d, a, b, c, i + 1, w1, r1)                                 \
    STEP(fn, c, d, a, b, i + 2, w2, r2) STEP(fn, b, c, d, a, i + 3, w3, r3)                                 \
    STEP(fn, a, b, c, d, i + 4, w4, r0) STEP(fn, d, a, b, c, i + 5, w5, r1)                                 \
    STEP(fn, c, d, a, b, i + 6, w6, r2) STEP(fn, b, c, d, a, i + 7, w7, r3)                                 \
    STEP(fn, a, b, c, d, i + 8, w8, r0) STEP(fn, d, a, b, c, i + 9, w9, r1)                                 \
    STEP(fn, c, d, a, b, i + 10, w10, r2) STEP(fn, b, c, d, a, i + 11, w11, r3)                             \
    STEP(fn, a, b, c, d, i + 12, w12, r0) STEP(fn, d, a, b, c, i + 13, w13, r1)                             \
    STEP(fn, c, d, a, b, i + 14, w14, r2) STEP(fn, b, c, d, a, i + 15, w15, r3)
#define STEPS                                                                          \
    ROUND(FF, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 12, 17, 22)  \
    ROUND(GG, 16, 1, 6, 11, 0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 5, 9, 14, 20)  \
    ROUND(HH, 32, 5, 8, 11, 14, 1, 4, 7, 10, 13, 0, 3, 6, 9, 12, 15, 2, 4, 11, 16, 23) \
    ROUND(II, 48, 0, 7, 14, 5, 12, 3, 10, 1, 8, 15, 6, 13, 4, 11, 2, 9, 6, 10, 15, 21)

/* One stream: for buffered bytes, the tail of a batch, and CPUs without AVX2. */
#define ADD(x, y) ((x) + (y))
#define SET1(x) ((uint32_t)(x))
#define ROTL(x, r) (((x) << (r)) | ((x) >> (32 - (r))))
#define FF(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define GG(b, c, d) (((b) & (d)) + ((c) & ~(d)))  // disjoint bits: + lets c & ~d be added before b is known
#define HH(b, c, d) ((b) ^ (c) ^ (d))
#define II(b, c, d) ((c) ^ ((b) | ~(d)))
#define M(w) load32(p + 4 * (w))
/* Clang would otherwise add the constant after the round function, one more cycle in each step's chain. */
static inline uint32_t early(uint32_t x) {
    __asm__("" : "+r"(x));
    return x;
}
#define EARLY(x) early(x)
static void blocks1(uint32_t h[4], const uint8_t *p, size_t blocks) {
    for (; blocks > 0; blocks--, p += 64) {
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        STEPS
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
    }
}
#undef ADD
#undef SET1
#undef ROTL
#undef FF
#undef GG
#undef HH
#undef II
#undef M
#undef EARLY
#define M(w) m[w]
#define EARLY(x) (x)

#if defined(__x86_64__)
/* Clang would gather the words with vpgatherqd, several times slower on AMD Zen 4 than plain loads and stores. */
#if defined(__clang__)
#define NO_VECTORIZE _Pragma("clang loop vectorize(disable)")
#else
#define NO_VECTORIZE
#endif

/* `blocks` blocks of each of LANES streams at p[0..LANES-1], continuing from the states h. Each block's words are
 * gathered lane by lane (the streams are in separate buffers). */
#define LANES_FN(name, isa, vec, LANES, LOAD, STORE)                                                   \
    __attribute__((target(isa))) static void name(uint32_t h[][4], const uint8_t *const *p, size_t blocks) { \
        uint32_t s[4][LANES] __attribute__((aligned(64)));                                                 \
        for (int l = 0; l < LANES; l++)                                                                    \
            for (int j = 0; j < 4; j++) s[j][l] = h[l][j];                                                 \
        vec a = LOAD(s[0]), b = LOAD(s[1]), c = LOAD(s[2]), d = LOAD(s[3]);                                \
        for (size_t n = 0; n < blocks; n++) {                                                              \
            uint32_t words[16][LANES] __attribute__((aligned(64)));                                        \
            NO_VECTORIZE for (int l = 0; l < LANES; l++)                                                   \
                NO_VECTORIZE for (int j = 0; j < 16; j++) words[j][l] = load32(p[l] + 64 * n + 4 * j);     \
            vec m[16];                                                                                     \
            for (int j = 0; j < 16; j++) m[j] = LOAD(words[j]);                                            \
            vec a0 = a, b0 = b, c0 = c, d0 = d;                                                            \
            STEPS                                                                                          \
            a = ADD(a, a0);                                                                                \
            b = ADD(b, b0);                                                                                \
            c = ADD(c, c0);                                                                                \
            d = ADD(d, d0);                                                                                \
        }                                                                                                  \
        STORE(s[0], a);                                                                                    \
        STORE(s[1], b);                                                                                    \
        STORE(s[2], c);                                                                                    \
        STORE(s[3], d);                                                                                    \
        for (int l = 0; l < LANES; l++)                                                                    \
            for (int j = 0; j < 4; j++) h[l][j] = s[j][l];                                                 \
    }

/* AVX2, 8 lanes: a rotation is two shifts and an or, a round function two or three logic operations. */
#define ADD(x, y) _mm256_add_epi32(x, y)
#define SET1(x) _mm256_set1_epi32(x)
#define ROTL(x, r) _mm256_or_si256(_mm256_slli_epi32(x, r), _mm256_srli_epi32(x, 32 - (r)))
#define FF(b, c, d) _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)))
#define GG(b, c, d) _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)))
#define HH(b, c, d) _mm256_xor_si256(_mm256_xor_si256(b, c), d)
#define II(b, c, d) _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))))
#define LOAD8(p) _mm256_load_si256((const __m256i *)(p))
#define STORE8(p, v) _mm256_store_si256((__m256i *)(p), v)
LANES_FN(blocks8, "avx2", __m256i, 8, LOAD8, STORE8)
#undef ADD
#undef SET1
#undef ROTL
#undef FF
#undef GG
#undef HH
#undef II

/* AVX-512, 16 lanes: one instruction per rotation and per round function (ternary logic). */
#define ADD(x, y) _mm512_add_epi32(x, y)
#define SET1(x) _mm512_set1_epi32(x)
#define ROTL(x, r) _mm512_rol_epi32(x, r)
#define FF(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xCA)
#define GG(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xE4)
#define HH(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x96)
#define II(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x39)
#define LOAD16(p) _mm512_load_si512((const void *)(p))
#define STORE16(p, v) _mm512_store_si512((void *)(p), v)
LANES_FN(blocks16, "avx512f", __m512i, 16, LOAD16, STORE16)
#endif

static int cpu_width(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 16;
    if (__builtin_cpu_supports("avx2")) return 8;
#endif
    return 1;
}

static _Atomic int width_limit = MD5LANES_MAX;

int md5lanes_width(void) {
    static int width = 0;
    if (width == 0) width = cpu_width();
    return width < width_limit ? width : width_limit;
}

void md5lanes_limit_width(int width) { width_limit = width; }

void md5lanes_init(md5lanes_ctx *ctx) {
    ctx->h[0] = 0x67452301;
    ctx->h[1] = 0xefcdab89;
    ctx->h[2] = 0x98badcfe;
    ctx->h[3] = 0x10325476;
    ctx->length = 0;
    ctx->buffered = 0;
}

/// Tops up ctx's buffer from `*data` and hashes it when full; returns how many bytes it took.
static size_t fill(md5lanes_ctx *ctx, const uint8_t *data, size_t len) {
    if (ctx->buffered == 0) return 0;
    size_t take = 64 - ctx->buffered;
    if (take > len) take = len;
    memcpy(ctx->buffer + ctx->buffered, data, take);
    ctx->buffered += (uint32_t)take;
    if (ctx->buffered == 64) {
        blocks1(ctx->h, ctx->buffer, 1);
        ctx->buffered = 0;
    }
    return take;
}

#if defined(__x86_64__)
/* The blocks that all `count` streams at p have, `lanes` (8 or 16) at a time; idle lanes hash a copy of stream 0
 * into scratch states. */
static void lanes(md5lanes_ctx *const *ctx, const uint8_t **p, size_t *left, int count, int lanes) {
    size_t common = SIZE_MAX;
    for (int i = 0; i < count; i++)
        if (left[i] / 64 < common) common = left[i] / 64;
    if (common == 0) return;
    uint32_t h[MD5LANES_MAX][4];
    const uint8_t *q[MD5LANES_MAX];
    for (int i = 0; i < lanes; i++) {
        int from = i < count ? i : 0;
        memcpy(h[i], ctx[from]->h, sizeof h[i]);
        q[i] = p[from];
    }
    if (lanes == 16)
        blocks16(h, q, common);
    else
        blocks8(h, q, common);
    for (int i = 0; i < count; i++) {
        memcpy(ctx[i]->h, h[i], sizeof h[i]);
        p[i] += 64 * common;
        left[i] -= 64 * common;
    }
}
#endif

void md5lanes_update(md5lanes_ctx *const *ctx, const uint8_t *const *data, const size_t *len, int count) {
    const uint8_t *p[MD5LANES_MAX];
    size_t left[MD5LANES_MAX];
    for (int i = 0; i < count; i++) {
        ctx[i]->length += len[i];
        size_t took = fill(ctx[i], data[i], len[i]);
        p[i] = data[i] + took;
        left[i] = len[i] - took;
    }
#if defined(__x86_64__)
    int width = md5lanes_width();
    /* 16 lanes for more than 8 streams where the CPU has them, otherwise groups of 8 (a 16-lane step costs about
     * as much as two 8-lane ones). */
    int group = width == 16 && count > 8 ? 16 : 8;
    for (int first = 0; width > 1 && first + 1 < count; first += group) {
        int n = count - first < group ? count - first : group;
        if (n >= 2) lanes(ctx + first, p + first, left + first, n, group);
    }
#endif
    /* What is left: the rest of longer streams one by one, then the partial blocks into the buffers. */
    for (int i = 0; i < count; i++) {
        size_t whole = left[i] / 64;
        blocks1(ctx[i]->h, p[i], whole);
        p[i] += 64 * whole;
        left[i] -= 64 * whole;
        if (left[i] > 0) {  // then fill emptied the buffer
            memcpy(ctx[i]->buffer, p[i], left[i]);
            ctx[i]->buffered = (uint32_t)left[i];
        }
    }
}

void md5lanes_final(md5lanes_ctx *ctx, uint8_t digest[16]) {
    uint64_t bits = ctx->length * 8;
    uint8_t pad[72] = {0x80};
    size_t padding = (ctx->buffered < 56 ? 56 : 120) - ctx->buffered;
    for (int i = 0; i < 8; i++) pad[padding + i] = (uint8_t)(bits >> (8 * i));
    const uint8_t *data = pad;
    size_t len = padding + 8;
    ctx->length -= len;  // update adds it again; the length is not used afterwards
    md5lanes_update(&ctx, &data, &len, 1);
    for (int i = 0; i < 4; i++) memcpy(digest + 4 * i, &ctx->h[i], 4);
}
