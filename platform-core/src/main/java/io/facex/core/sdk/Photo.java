package io.facex.core.sdk;

import io.facex.api.FaceImage;
import io.facex.data.BadImageException;
import io.facex.data.ImageHeader;
import io.facex.data.ImageOps;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * A photo decoded for the SDK, as {@code cv2.imread} gives it (BGR), and the factor its coordinates were
 * divided by. A JPEG larger than the pixel limit is decoded at a half, a quarter or an eighth of its size
 * by libjpeg itself, so a 100-megapixel photo never exists at full size in memory; any other format
 * larger than the limit is refused before decoding.
 *
 * @param scale original pixels per decoded pixel (1 unless reduced); multiply a detection by it to get
 *              the original photo's coordinates
 */
public record Photo(FaceImage image, int scale) {

    public static Photo read(Path file, long maxPixels) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
        return decode(bytes, file.toString(), maxPixels);
    }

    public static Photo decode(byte[] bytes, String source, long maxPixels) throws BadImageException {
        ImageHeader header = ImageHeader.check(bytes, bytes.length, source, Long.MAX_VALUE);
        long pixels = (long) header.width() * header.height();
        if (pixels <= maxPixels) {
            try (Mat m = ImageOps.decode(bytes, source, maxPixels)) {
                return new Photo(image(m), 1);
            }
        }
        int reduce = 2;
        while (reduce <= 8 && pixels / ((long) reduce * reduce) > maxPixels) {
            reduce *= 2;
        }
        if (!"JPEG".equals(header.format()) || reduce > 8) {
            ImageHeader.checkSize(header.width(), header.height(), source, maxPixels); // throws, naming the limit
        }
        int flag = reduce == 2 ? opencv_imgcodecs.IMREAD_REDUCED_COLOR_2
                : reduce == 4 ? opencv_imgcodecs.IMREAD_REDUCED_COLOR_4 : opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
        try (BytePointer p = new BytePointer(bytes.length)) {
            p.put(bytes, 0, bytes.length);
            try (Mat buf = new Mat(1, bytes.length, CV_8UC1, p); Mat m = opencv_imgcodecs.imdecode(buf, flag)) {
                if (m == null || m.empty()) {
                    throw new BadImageException(source, "cannot decode image (" + bytes.length + " bytes) at 1/" + reduce + " size");
                }
                return new Photo(image(m), reduce);
            }
        }
    }

    private static FaceImage image(Mat bgr) {
        return new FaceImage(bgr.cols(), bgr.rows(), bgr.channels(), ImageOps.toHwc(bgr));
    }
}
