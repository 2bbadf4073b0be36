#ifndef VELLUM_RESAMPLE_H
#define VELLUM_RESAMPLE_H

#include <stdint.h>

/* Resamples an 8-bit image of 1 to 4 interleaved bands, `in_width` x `in_height` at `src` (rows packed), to
 * `out_width` x `out_height` at `dst` with a Lanczos-3 filter (widened by the reduction factor when shrinking), each
 * axis on its own. Returns 0, or -1 when memory runs out or the arguments make no sense. */
int vellum_resample(const uint8_t *src, int in_width, int in_height, int bands, uint8_t *dst, int out_width,
                    int out_height);

#endif
