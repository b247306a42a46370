package io.facex.core.embed;

import ai.djl.ndarray.types.Shape;
import io.facex.api.Augmentation;
import io.facex.data.ImagePipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Faces read from an image list (one path per line), decoded and normalised as FaceX-Zoo's test loader does. */
final class ImageFaces {

    private ImageFaces() {
    }

    static Faces read(Path list, Path dataRoot, Shape face, long maxPixels, boolean cropEye) throws IOException {
        Path root = dataRoot != null ? dataRoot : list.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(list);
        List<String> paths = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                paths.add(l);
                lineNumbers.add(i + 1);
            }
        }
        if (paths.isEmpty()) {
            throw new IOException(list + ": no image paths in the list");
        }
        int h = (int) face.get(1);
        int w = (int) face.get(2);
        float[] values = new float[paths.size() * 3 * h * w];
        try (ImagePipeline pipeline = new ImagePipeline(Augmentation.none(), w, h, ImagePipeline.resizesCropsFor(w, h, cropEye),
                maxPixels, cropEye)) {
            for (int k = 0; k < paths.size(); k++) {
                Path image = root.resolve(paths.get(k));
                String where = list + ":" + lineNumbers.get(k) + ": " + image;
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(image);
                } catch (NoSuchFileException e) {
                    throw new IOException(where + ": no such image", e);
                }
                pipeline.process(bytes, bytes.length, where, null, values, k * 3 * h * w);
            }
        }
        return new Faces(values, paths.size());
    }
}
