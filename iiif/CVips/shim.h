// Fixed-arity wrappers of the libvips calls Vellum uses. libvips' API is variadic (options as NULL-terminated
// name/value lists), which Swift cannot call; these static inline functions are compiled by Swift's Clang importer.
// Each returns 0 on success and -1 on failure (the message is in vips_error_buffer()).
#ifndef VELLUM_CVIPS_SHIM_H
#define VELLUM_CVIPS_SHIM_H

#include <vips/vips.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// Opens an image for random access, reading only its header now; truncated or corrupt data fails when pixels are
/// read instead of producing grey.
static inline int vellum_vips_open(const char *path, VipsImage **out) {
    *out = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    return *out ? 0 : -1;
}

/// Page `page` of a TIFF (in a pyramid TIFF, the level 2^page times smaller).
static inline int vellum_vips_tiff_page(const char *path, int page, VipsImage **out) {
    return vips_tiffload(path, out, "page", page, "access", VIPS_ACCESS_RANDOM, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

/// An image to render from, decoded at 1/shrink of its size when it is a JPEG (1, 2, 4 or 8: the DCT does most of a
/// downscale for free): streamed when `sequential` (read once, top to bottom, a few lines at a time), else decoded
/// whole into memory. Never into a temporary file, which libvips otherwise makes for a whole decode of more than
/// VIPS_DISC_THRESHOLD (100 MB) of a format that cannot be read in any order (PNG, JPEG, ...).
static inline int vellum_vips_load(const char *path, int shrink, int sequential, VipsImage **out) {
    VipsAccess access = sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
    if (shrink > 1)
        return vips_jpegload(path, out, "shrink", shrink, "access", access, "memory", !sequential, "fail_on",
                             VIPS_FAIL_ON_ERROR, NULL);
    *out = vips_image_new_from_file(path, "access", access, "memory", !sequential, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    return *out ? 0 : -1;
}

/// Directory `page` of a TIFF to render from (a page of a multi-page TIFF), streamed when `sequential`, else decoded
/// whole into memory, like `vellum_vips_load`.
static inline int vellum_vips_load_tiff_page(const char *path, int page, int sequential, VipsImage **out) {
    VipsAccess access = sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
    return vips_tiffload(path, out, "page", page, "access", access, "memory", !sequential, "fail_on", VIPS_FAIL_ON_ERROR,
                         NULL);
}

/// Reads and drops the first `lines` lines of a streamed image, 64 at a time: a pipeline that starts further down
/// would make libvips read them all as one region, holding them all at once.
static inline int vellum_vips_skip(VipsImage *in, int lines) {
    VipsRegion *region = vips_region_new(in);
    if (!region) return -1;
    int result = 0;
    for (int y = 0; y < lines && result == 0; y += 64) {
        VipsRect area = {0, y, 1, lines - y < 64 ? lines - y : 64};
        result = vips_region_prepare(region, &area);
    }
    g_object_unref(region);
    return result;
}

/// The pixels of `in` computed into memory: a streamed image's output, before an operation that reads it in
/// another order (rotation).
static inline int vellum_vips_copy_memory(VipsImage *in, VipsImage **out) {
    *out = vips_image_copy_memory(in);
    return *out ? 0 : -1;
}

/// Whether the file is interlaced (a progressive JPEG, an Adam7 PNG): its decoder holds the whole image however it
/// is read.
static inline int vellum_vips_interlaced(VipsImage *in) {
    int interlaced = 0;
    if (vips_image_get_typeof(in, "interlaced")) vips_image_get_int(in, "interlaced", &interlaced);
    return interlaced;
}

/// Bytes of one decoded pixel: bands times bytes per sample.
static inline int vellum_vips_pixel_bytes(VipsImage *in) { return (int)VIPS_IMAGE_SIZEOF_PEL(in); }

/// The name of the loader libvips picks for a file ("VipsForeignLoadJpegFile", ...), or NULL.
static inline const char *vellum_vips_loader(const char *path) { return vips_foreign_find_load(path); }

static inline int vellum_vips_extract(VipsImage *in, int x, int y, int w, int h, VipsImage **out) {
    return vips_extract_area(in, out, x, y, w, h, NULL);
}

static inline int vellum_vips_resize(VipsImage *in, double hscale, double vscale, VipsImage **out) {
    return vips_resize(in, out, hscale, "vscale", vscale, NULL);
}

/// An image of the 8-bit pixels at `data` (copied), with the colour interpretation of the image they came from.
static inline int vellum_vips_from_pixels(const void *data, size_t size, int width, int height, int bands,
                                          VipsInterpretation interpretation, VipsImage **out) {
    VipsImage *raw = vips_image_new_from_memory_copy(data, size, width, height, bands, VIPS_FORMAT_UCHAR);
    if (!raw) return -1;
    int rc = vips_copy(raw, out, "interpretation", interpretation, NULL);
    g_object_unref(raw);
    return rc;
}

static inline int vellum_vips_mirror(VipsImage *in, VipsImage **out) {
    return vips_flip(in, out, VIPS_DIRECTION_HORIZONTAL, NULL);
}

/// Rotation by 90, 180 or 270 degrees clockwise, without resampling.
static inline int vellum_vips_rot(VipsImage *in, int degrees, VipsImage **out) {
    VipsAngle angle = degrees == 90 ? VIPS_ANGLE_D90 : degrees == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
    return vips_rot(in, out, angle, NULL);
}

/// Rotation by any angle clockwise; the corners are filled with `background` (one value per band).
static inline int vellum_vips_rotate(VipsImage *in, double degrees, const double *background, int bands,
                                     VipsImage **out) {
    VipsArrayDouble *fill = vips_array_double_new(background, bands);
    int result = vips_rotate(in, out, degrees, "background", fill, NULL);
    vips_area_unref(VIPS_AREA(fill));
    return result;
}

static inline int vellum_vips_colourspace(VipsImage *in, VipsInterpretation space, VipsImage **out) {
    return vips_colourspace(in, out, space, NULL);
}

/// 255 where a band is at least `threshold`, else 0.
static inline int vellum_vips_threshold(VipsImage *in, double threshold, VipsImage **out) {
    return vips_moreeq_const1(in, out, threshold, NULL);
}

static inline int vellum_vips_add_alpha(VipsImage *in, VipsImage **out) { return vips_addalpha(in, out); }

/// Composites away an alpha channel over white.
static inline int vellum_vips_flatten(VipsImage *in, VipsImage **out) {
    double white[1] = {255};
    VipsArrayDouble *background = vips_array_double_new(white, 1);
    int result = vips_flatten(in, out, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return result;
}

/// Encoders: `*buffer` (g_free it) holds `*length` bytes.
/// JPEG with 4:2:0 chroma subsampling always (libvips turns it off from Q 90 up: larger, slower tiles).
static inline int vellum_vips_jpeg(VipsImage *in, int quality, void **buffer, size_t *length) {
    return vips_jpegsave_buffer(in, buffer, length, "Q", quality, "strip", TRUE, "subsample_mode",
                                VIPS_FOREIGN_SUBSAMPLE_ON, NULL);
}

static inline int vellum_vips_png(VipsImage *in, void **buffer, size_t *length) {
    return vips_pngsave_buffer(in, buffer, length, "strip", TRUE, "compression", 3, NULL);
}

static inline int vellum_vips_webp(VipsImage *in, int quality, void **buffer, size_t *length) {
    return vips_webpsave_buffer(in, buffer, length, "Q", quality, "strip", TRUE, NULL);
}

static inline int vellum_vips_gif(VipsImage *in, void **buffer, size_t *length) {
    return vips_gifsave_buffer(in, buffer, length, "strip", TRUE, NULL);
}

static inline int vellum_vips_tiff(VipsImage *in, void **buffer, size_t *length) {
    return vips_tiffsave_buffer(in, buffer, length, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, "strip", TRUE,
                                NULL);
}

static inline int vellum_vips_jp2(VipsImage *in, int quality, void **buffer, size_t *length) {
    return vips_jp2ksave_buffer(in, buffer, length, "Q", quality, NULL);
}

/// Decodes a whole image once, streamed, keeping nothing (a JPEG at 1/shrink): 0 when every pixel decodes. What it freed is given back
/// to the system: glibc's arenas would keep it, and the pyramid build that follows would add its own peak to it
/// (12 MB more for a 10000x8000 JPEG).
static inline int vellum_vips_decodes(const char *path, int shrink) {
    VipsImage *in;
    if (vellum_vips_load(path, shrink, 1, &in)) return -1;
    double average;
    int result = vips_avg(in, &average, NULL);
    g_object_unref(in);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    return result;
}

/// Opens an image to be read once, top to bottom (a pyramid build): decoded in strips, never whole.
static inline int vellum_vips_open_sequential(const char *path, VipsImage **out) {
    *out = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    return *out ? 0 : -1;
}

/// A tiled pyramid TIFF of 256-px tiles (each level half the previous), JPEG-compressed at `quality`, or deflated
/// (lossless, keeps alpha) when `quality` is 0; BigTIFF when large.
static inline int vellum_vips_pyramid(VipsImage *in, const char *path, int quality, int bigtiff) {
    VipsForeignTiffCompression compression =
        quality > 0 ? VIPS_FOREIGN_TIFF_COMPRESSION_JPEG : VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE;
    return vips_tiffsave(in, path, "tile", TRUE, "pyramid", TRUE, "compression", compression, "Q", quality > 0 ? quality : 75,
                         "tile_width", 256, "tile_height", 256, "bigtiff", bigtiff, "strip", TRUE, NULL);
}

/// Whether this libvips has a saver for a file name's suffix (".jp2", ...).
static inline int vellum_vips_can_save(const char *suffix) {
    const char *saver = vips_foreign_find_save_buffer(suffix);
    vips_error_clear();
    return saver != NULL;
}

#endif
