/* A pyramid TIFF's JPEG tiles read raw with libtiff and handled as ordinary JPEG streams: sent as stored, or decoded
 * by libjpeg straight into a region's pixels. */
#include "jpeg_stream.h"
#include "pixels.h"

#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

typedef struct {
    TIFF *tiff;
    uint32_t tile_width, tile_height, width, height, table_count;
    uint8_t *tables;
    uint64_t *sizes;
    int bands;
} page_info;

/* Opens page `page` if it is tiled, JPEG-compressed, YCbCr, RGB or grey, with tables. */
static int page_open(const char *path, int page, page_info *p) {
    uint16_t compression = 0, photometric = 0;
    void *tables = NULL;
    p->tiff = TIFFOpen(path, "rm");  // "m": no memory mapping (mapping the whole file costs more than a few reads)
    if (!p->tiff) return -1;
    if (TIFFSetDirectory(p->tiff, (tdir_t)page) && TIFFIsTiled(p->tiff) &&
        TIFFGetField(p->tiff, TIFFTAG_COMPRESSION, &compression) && compression == COMPRESSION_JPEG &&
        TIFFGetField(p->tiff, TIFFTAG_PHOTOMETRIC, &photometric) &&
        (photometric == PHOTOMETRIC_YCBCR || photometric == PHOTOMETRIC_RGB || photometric == PHOTOMETRIC_MINISBLACK) &&
        TIFFGetField(p->tiff, TIFFTAG_TILEWIDTH, &p->tile_width) &&
        TIFFGetField(p->tiff, TIFFTAG_TILELENGTH, &p->tile_height) &&
        TIFFGetField(p->tiff, TIFFTAG_IMAGEWIDTH, &p->width) && TIFFGetField(p->tiff, TIFFTAG_IMAGELENGTH, &p->height) &&
        TIFFGetField(p->tiff, TIFFTAG_JPEGTABLES, &p->table_count, &tables) && p->table_count >= 4 &&
        TIFFGetField(p->tiff, TIFFTAG_TILEBYTECOUNTS, &p->sizes)) {
        p->tables = tables;
        p->bands = photometric == PHOTOMETRIC_MINISBLACK ? 1 : 3;
        return 0;
    }
    TIFFClose(p->tiff);
    return -1;
}

/* Tile (`col`, `row`) as a complete JPEG stream in `*buffer` (grown with realloc to `*capacity`); its length, or 0. */
static size_t page_tile(page_info *p, uint32_t col, uint32_t row, uint8_t **buffer, size_t *capacity) {
    ttile_t tile = TIFFComputeTile(p->tiff, col * p->tile_width, row * p->tile_height, 0, 0);
    if (tile >= TIFFNumberOfTiles(p->tiff) || p->sizes[tile] <= 2) return 0;
    tmsize_t size = (tmsize_t)p->sizes[tile];
    size_t length = p->table_count - 4 + (size_t)size;
    if (length > *capacity) {
        uint8_t *grown = realloc(*buffer, length);
        if (!grown) return 0;
        *buffer = grown;
        *capacity = length;
    }
    memcpy(*buffer, p->tables, p->table_count - 2);
    uint8_t *raw = *buffer + p->table_count - 4;  // the tile's start marker lands on the tables' end marker
    uint8_t saved[2] = {raw[0], raw[1]};
    if (TIFFReadRawTile(p->tiff, tile, raw, size) != size || raw[0] != 0xFF || raw[1] != 0xD8) return 0;
    raw[0] = saved[0];
    raw[1] = saved[1];
    return length;
}

int vellum_pyramid_tile(const char *path, int page, int col, int row, uint8_t **buffer, size_t *length) {
    page_info p;
    if (col < 0 || row < 0 || page_open(path, page, &p)) return -1;
    uint8_t *out = NULL;
    size_t capacity = 0, size = page_tile(&p, (uint32_t)col, (uint32_t)row, &out, &capacity);
    TIFFClose(p.tiff);
    if (!size) {
        free(out);
        return -1;
    }
    *buffer = out;
    *length = size;
    return 0;
}

int vellum_pyramid_region(const char *path, int page, int x, int y, int width, int height, uint8_t *out, int *bands) {
    page_info p;
    if (x < 0 || y < 0 || width < 1 || height < 1 || page_open(path, page, &p)) return -1;
    int result = -1;
    uint8_t *jpeg = NULL;
    size_t capacity = 0;
    if ((uint32_t)x + width > p.width || (uint32_t)y + height > p.height) goto done;
    size_t stride = (size_t)width * p.bands;
    for (uint32_t row = y / p.tile_height; row * p.tile_height < (uint32_t)(y + height); row++) {
        for (uint32_t col = x / p.tile_width; col * p.tile_width < (uint32_t)(x + width); col++) {
            size_t length = page_tile(&p, col, row, &jpeg, &capacity);
            // the part of the region in this tile, in page coordinates
            uint32_t left = col * p.tile_width, top = row * p.tile_height;
            uint32_t x0 = left > (uint32_t)x ? left : (uint32_t)x, y0 = top > (uint32_t)y ? top : (uint32_t)y;
            uint32_t x1 = left + p.tile_width < (uint32_t)(x + width) ? left + p.tile_width : (uint32_t)(x + width);
            uint32_t y1 = top + p.tile_height < (uint32_t)(y + height) ? top + p.tile_height : (uint32_t)(y + height);
            if (!length || vellum_jpeg_decode_rect(jpeg, length, p.bands, (int)(x0 - left), (int)(y0 - top),
                                                   (int)(x1 - x0), (int)(y1 - y0),
                                                   out + (y0 - y) * stride + (size_t)(x0 - x) * p.bands, stride))
                goto done;
        }
    }
    *bands = p.bands;
    result = 0;
done:
    free(jpeg);
    TIFFClose(p.tiff);
    return result;
}

int vellum_tiff_pages(const char *path, int *directories, int capacity) {
    TIFF *tiff = TIFFOpen(path, "rm");
    if (!tiff) return -1;
    int pages = 0;
    for (int directory = 0; directory < 100000; directory++) {
        uint32_t kind = 0;
        if (!TIFFGetField(tiff, TIFFTAG_SUBFILETYPE, &kind) || !(kind & FILETYPE_REDUCEDIMAGE)) {
            if (pages < capacity) directories[pages] = directory;
            pages++;
        }
        if (!TIFFReadDirectory(tiff)) break;
    }
    TIFFClose(tiff);
    return pages;
}
