#ifndef VELLUM_JPEG_STREAM_H
#define VELLUM_JPEG_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* Decodes rows `y`..`y + height` and columns `x`..`x + width` of the JPEG stream `jpeg` as `bands`-band pixels into
 * `out` (`stride` bytes a row). 0, or -1 when the stream does not decode to that many bands or is too small. */
int vellum_jpeg_decode_rect(const uint8_t *jpeg, size_t length, int bands, int x, int y, int width, int height,
                            uint8_t *out, size_t stride);

#endif
