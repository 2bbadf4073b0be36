#ifndef VELLUM_PIXELS_H
#define VELLUM_PIXELS_H

/* 8-bit pixel work for the IIIF renderer that libvips 8.14 does slowly here or not at all: resampling small images,
 * reading a pyramid TIFF's JPEG tiles without libtiff's decoder, and encoding JPEG from memory. None of it starts a
 * thread (each libvips pipeline hands work between threads several times, a large share of a thumbnail's time). */

#include <stddef.h>
#include <stdint.h>

/* Resamples an 8-bit image of 1 to 4 interleaved bands, `in_width` x `in_height` at `src` (rows packed), to
 * `out_width` x `out_height` at `dst` with a Lanczos-3 filter (widened by the reduction factor when shrinking), each
 * axis on its own. Returns 0, or -1 when memory runs out or the arguments make no sense. */
int vellum_resample(const uint8_t *src, int in_width, int in_height, int bands, uint8_t *dst, int out_width,
                    int out_height);

/* The stored JPEG of tile (`col`, `row`) of page `page` of a tiled, JPEG-compressed TIFF (a pyramid), as a complete
 * JPEG stream: the page's shared tables (JPEGTables, without its end marker) followed by the tile's own data
 * (without its start marker). No decoding, no encoding. Fails (-1) unless the page is tiled, JPEG-compressed,
 * YCbCr, RGB (libjpeg then marks each tile's colour space with an Adobe marker, which decoders follow) or grey,
 * with tables. `*buffer` is malloc'd. */
int vellum_pyramid_tile(const char *path, int page, int col, int row, uint8_t **buffer, size_t *length);

/* Decodes the rectangle `x`, `y`, `width` x `height` of page `page` of such a TIFF into `out` (rows packed; room for
 * 3 bands), tile by tile, and sets `*bands` (3 for colour, 1 for grey). -1 when the page is not such a page, the
 * rectangle is not inside it, or a tile does not decode. */
int vellum_pyramid_region(const char *path, int page, int x, int y, int width, int height, uint8_t *out, int *bands);

/* The pages of a TIFF: its directories that are not reduced-resolution copies of another (NewSubfileType bit 0, the
 * levels of a pyramid TIFF). Stores the directory numbers of the first `capacity` pages in `directories` and returns
 * how many pages there are (at most 100000 directories are read), or -1 when the file is not a TIFF. */
int vellum_tiff_pages(const char *path, int *directories, int capacity);

/* Baseline JPEG of 8-bit pixels (1 band: grey; 3: RGB, stored as YCbCr with 4:2:0 chroma) at `quality`. 0, with
 * `*buffer` malloc'd, or -1. */
int vellum_jpeg_encode(const uint8_t *pixels, int width, int height, int bands, int quality, uint8_t **buffer,
                       size_t *length);

#endif
