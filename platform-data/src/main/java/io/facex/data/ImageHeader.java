package io.facex.data;

import java.util.Locale;
import java.util.zip.CRC32;

/**
 * What an encoded image says about itself before anyone decodes it: its format and size, and whether
 * the file is whole.
 *
 * <p>Why not just trust the decoder: libjpeg, as OpenCV calls it, fills a truncated JPEG's missing rows
 * with grey and returns success (a warning on stderr is all), and it allocates whatever a header claims
 * before reading a single pixel. So JPEG, PNG and BMP files are walked here first: a JPEG must reach its
 * end-of-image marker through well-formed segments, a PNG's chunks must all pass their CRC up to
 * {@code IEND}, a BMP must hold all the pixel rows its header promises. Other formats go to OpenCV as
 * they are; their size is checked after decoding. The walk reads each byte once, a few microseconds for
 * a 112x112 face crop.
 *
 * @param format "JPEG", "PNG", "BMP", or null when the format is not one checked here
 * @param width  pixels, or 0 when unknown
 * @param height pixels, or 0 when unknown
 */
public record ImageHeader(String format, int width, int height) {

    /** The default limit on {@code width x height}: 50 megapixels (a 48 MP phone photo fits; a bomb does not). */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

    /** The same, as text, for option defaults written in annotations. */
    public static final String DEFAULT_MAX_PIXELS_TEXT = "" + DEFAULT_MAX_PIXELS;

    /** The option users set to change the limit, named in the error. */
    public static final String MAX_PIXELS_OPTION = "--max_image_pixels";

    /**
     * Checks {@code bytes[0..length)}: complete, not corrupt where the format can tell, and at most
     * {@code maxPixels} pixels.
     *
     * @throws BadImageException naming {@code source} and what is wrong
     */
    public static ImageHeader check(byte[] bytes, int length, String source, long maxPixels) throws BadImageException {
        if (length == 0) {
            throw new BadImageException(source, "empty file, not an image");
        }
        if (length >= 3 && u8(bytes, 0) == 0xFF && u8(bytes, 1) == 0xD8 && u8(bytes, 2) == 0xFF) {
            return jpeg(bytes, length, source, maxPixels);
        }
        if (length >= 8 && startsWith(bytes, PNG_SIGNATURE)) {
            return png(bytes, length, source, maxPixels);
        }
        if (length >= 2 && bytes[0] == 'B' && bytes[1] == 'M') {
            return bmp(bytes, length, source, maxPixels);
        }
        return new ImageHeader(null, 0, 0);
    }

    /** Rejects an image larger than the limit; called with the header's size, or the decoded size. */
    public static void checkSize(long width, long height, String source, long maxPixels) throws BadImageException {
        if (width * height > maxPixels) {
            throw new BadImageException(source, String.format(Locale.ROOT,
                    "image is %dx%d pixels (%,d), more than the limit of %,d; refused before decoding "
                            + "(raise it with %s if such images are meant)",
                    width, height, width * height, maxPixels, MAX_PIXELS_OPTION));
        }
    }

    private static ImageHeader jpeg(byte[] b, int n, String source, long maxPixels) throws BadImageException {
        int width = 0;
        int height = 0;
        boolean scan = false;
        int i = 2;
        while (true) {
            if (i >= n) {
                throw truncated(source, "JPEG", n, "before its end-of-image marker");
            }
            if (u8(b, i) != 0xFF) {
                throw corrupt(source, "JPEG", "no segment marker at byte " + i);
            }
            while (i < n && u8(b, i) == 0xFF) {
                i++; // fill bytes may precede any marker
            }
            if (i >= n) {
                throw truncated(source, "JPEG", n, "before its end-of-image marker");
            }
            int marker = u8(b, i++);
            if (marker == 0xD9) {
                if (!scan || width == 0) {
                    throw corrupt(source, "JPEG", "end-of-image marker before any image data");
                }
                return new ImageHeader("JPEG", width, height);
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // no length field
            }
            if (marker == 0x00 || marker < 0xC0) {
                throw corrupt(source, "JPEG", String.format(Locale.ROOT, "invalid marker 0x%02X at byte %d", marker, i - 1));
            }
            if (i + 2 > n) {
                throw truncated(source, "JPEG", n, "inside a segment header");
            }
            int len = u16be(b, i);
            if (len < 2) {
                throw corrupt(source, "JPEG", "segment at byte " + i + " has length " + len);
            }
            if (i + len > n) {
                throw truncated(source, "JPEG", n, String.format(Locale.ROOT,
                        "inside a segment (marker 0x%02X at byte %d needs %d bytes)", marker, i - 2, len));
            }
            if (isStartOfFrame(marker)) {
                if (len < 8) {
                    throw corrupt(source, "JPEG", "frame header too short");
                }
                height = u16be(b, i + 3);
                width = u16be(b, i + 5);
                if (width == 0) {
                    throw corrupt(source, "JPEG", "frame header gives width 0");
                }
                checkSize(width, Math.max(height, 1), source, maxPixels);
            }
            i += len;
            if (marker == 0xDA) {
                if (width == 0) {
                    throw corrupt(source, "JPEG", "image data before the frame header");
                }
                scan = true;
                i = endOfEntropyData(b, i, n);
                if (i < 0) {
                    throw truncated(source, "JPEG", n, "inside the compressed image data");
                }
            }
        }
    }

    /** The index of the marker that ends a scan's compressed data, or -1 when the bytes run out first. */
    private static int endOfEntropyData(byte[] b, int i, int n) {
        while (i + 1 < n) {
            if (b[i] != (byte) 0xFF) {
                i++;
                continue;
            }
            int next = u8(b, i + 1);
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                i += 2; // a stuffed 0xFF, or a restart marker inside the scan
            } else if (next == 0xFF) {
                i++;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean isStartOfFrame(int m) {
        return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static ImageHeader png(byte[] b, int n, String source, long maxPixels) throws BadImageException {
        int width = 0;
        int height = 0;
        int i = 8;
        CRC32 crc = new CRC32();
        boolean first = true;
        while (true) {
            if (i + 8 > n) {
                throw truncated(source, "PNG", n, "before its IEND chunk");
            }
            long len = u32be(b, i);
            String type = new String(b, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (len > n - i - 12L) {
                throw truncated(source, "PNG", n, "inside its " + type + " chunk at byte " + i);
            }
            if (first) {
                if (!type.equals("IHDR") || len < 8) {
                    throw corrupt(source, "PNG", "the first chunk is not a header (IHDR)");
                }
                width = (int) Math.min(Integer.MAX_VALUE, u32be(b, i + 8));
                height = (int) Math.min(Integer.MAX_VALUE, u32be(b, i + 12));
                checkSize(width, height, source, maxPixels);
                first = false;
            }
            crc.reset();
            crc.update(b, i + 4, (int) len + 4);
            if (crc.getValue() != u32be(b, i + 8 + (int) len)) {
                throw corrupt(source, "PNG", "its " + type + " chunk at byte " + i + " fails its checksum");
            }
            if (type.equals("IEND")) {
                return new ImageHeader("PNG", width, height);
            }
            i += 12 + (int) len;
        }
    }

    private static ImageHeader bmp(byte[] b, int n, String source, long maxPixels) throws BadImageException {
        if (n < 26) {
            throw truncated(source, "BMP", n, "inside its header");
        }
        long dataOffset = u32le(b, 10);
        long dib = u32le(b, 14);
        long width;
        long height;
        int bitsPerPixel;
        long compression = 0;
        if (dib == 12) {
            width = u16le(b, 18);
            height = u16le(b, 20);
            bitsPerPixel = u16le(b, 24);
        } else if (dib >= 40) {
            if (n < 34) {
                throw truncated(source, "BMP", n, "inside its header");
            }
            width = Math.abs((long) (int) u32le(b, 18));
            height = Math.abs((long) (int) u32le(b, 22)); // negative: rows stored top-down
            bitsPerPixel = u16le(b, 28);
            compression = u32le(b, 30);
        } else {
            throw corrupt(source, "BMP", "unknown header size " + dib);
        }
        checkSize(width, height, source, maxPixels);
        // RLE and embedded JPEG/PNG data have no fixed size to check; OpenCV's decoder catches those.
        boolean raw = compression == 0 || compression == 3 || compression == 6;
        if (raw && bitsPerPixel > 0) {
            long stride = (width * bitsPerPixel + 31) / 32 * 4;
            long end = dataOffset + stride * height;
            if (end > n) {
                throw truncated(source, "BMP", n, "before the end of its pixel rows (" + end + " bytes expected)");
            }
        }
        return new ImageHeader("BMP", (int) width, (int) height);
    }

    private static BadImageException truncated(String source, String format, int length, String where) {
        return new BadImageException(source, "truncated " + format + ": the file ends after " + length + " bytes, "
                + where);
    }

    private static BadImageException corrupt(String source, String format, String what) {
        return new BadImageException(source, "corrupt " + format + ": " + what);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16be(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int u16le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    private static long u32be(byte[] b, int i) {
        return ((long) u16be(b, i) << 16) | u16be(b, i + 2);
    }

    private static long u32le(byte[] b, int i) {
        return u16le(b, i) | ((long) u16le(b, i + 2) << 16);
    }
}
