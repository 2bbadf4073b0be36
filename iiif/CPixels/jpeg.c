/* JPEG decoding of parts of a stream and encoding from memory, with libjpeg (Debian's is libjpeg-turbo, with its
 * vector code). libjpeg reports errors by calling error_exit, which must not return: it jumps back here. */
#include "jpeg_stream.h"
#include "pixels.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
} failure;

static void fail(j_common_ptr info) { longjmp(((failure *)info->err)->jump, 1); }
static void quiet(j_common_ptr info, int level) { (void)info, (void)level; }

int vellum_jpeg_decode_rect(const uint8_t *jpeg, size_t length, int bands, int x, int y, int width, int height,
                            uint8_t *out, size_t stride) {
    struct jpeg_decompress_struct info;
    failure error;
    JSAMPLE *volatile row = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = fail;
    error.manager.emit_message = quiet;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&info);
        free(row);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, jpeg, (unsigned long)length);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = bands == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != bands || info.output_width < (JDIMENSION)(x + width) ||
        info.output_height < (JDIMENSION)(y + height) || !(row = malloc((size_t)info.output_width * bands)))
        longjmp(error.jump, 1);
    JSAMPROW rows[1] = {row};
    while (info.output_scanline < (JDIMENSION)(y + height)) {
        JDIMENSION at = info.output_scanline;
        jpeg_read_scanlines(&info, rows, 1);
        if (at >= (JDIMENSION)y) memcpy(out + (at - y) * stride, row + (size_t)x * bands, (size_t)width * bands);
    }
    jpeg_abort_decompress(&info);  // the rows below are not needed
    jpeg_destroy_decompress(&info);
    free(row);
    return 0;
}

int vellum_jpeg_encode(const uint8_t *pixels, int width, int height, int bands, int quality, uint8_t **buffer,
                       size_t *length) {
    if (bands != 1 && bands != 3) return -1;
    struct jpeg_compress_struct info;
    failure error;
    unsigned char *volatile out = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = fail;
    error.manager.emit_message = quiet;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        free(out);
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&out, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = bands;
    info.in_color_space = bands == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);  // YCbCr, 2x2 chroma: 4:2:0, as libvips writes below quality 90 and viewers expect
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * width * bands);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *buffer = out;
    *length = size;
    return 0;
}
