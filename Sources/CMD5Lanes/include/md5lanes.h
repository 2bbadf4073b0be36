#ifndef VELLUM_MD5LANES_H
#define VELLUM_MD5LANES_H

#include <stddef.h>
#include <stdint.h>

/// MD5 of a stream, continued across calls. Several of them can be updated at once by `md5lanes_update`, which
/// runs up to `MD5LANES_MAX` of them in the lanes of vector registers: one stream's MD5 is a chain of dependent
/// steps (one core hashes one stream at ~0.7 GB/s however wide its vectors are), but independent streams are not.
typedef struct {
    uint32_t h[4];
    uint64_t length;
    uint32_t buffered;
    uint8_t buffer[64];
} md5lanes_ctx;

#define MD5LANES_MAX 16

void md5lanes_init(md5lanes_ctx *ctx);
/// Updates `count` (at most MD5LANES_MAX) distinct contexts, `ctx[i]` with `len[i]` bytes at `data[i]`.
void md5lanes_update(md5lanes_ctx *const *ctx, const uint8_t *const *data, const size_t *len, int count);
void md5lanes_final(md5lanes_ctx *ctx, uint8_t digest[16]);
/// How many streams one vector step hashes on this CPU: 16 (AVX-512), 8 (AVX2) or 1.
int md5lanes_width(void);
/// Uses at most `width` lanes from now on, as a CPU with narrower vectors would (for tests).
void md5lanes_limit_width(int width);

#endif
