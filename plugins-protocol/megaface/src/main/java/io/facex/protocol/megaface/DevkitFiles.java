package io.facex.protocol.megaface;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The MegaFace devkit's files and FaceX-Zoo's image lists: reading (errors name the file, and the line
 * for text files) and writing (for synthetic devkits).
 *
 * <ul>
 * <li>{@code facescrub_features_list.json}: {@code {"path": [...], "id": [...]}}, one identity per path;
 * <li>{@code megaface_features_list.json_<N>_1}: {@code {"path": [...]}};
 * <li>FaceScrub noise list: image file names, one a line, {@code #} lines skipped;
 * <li>MegaFace noise list: one a line, {@code #} lines skipped, TAB-separated, the second field if
 * there are several, an {@code id1/id2/name.jpg} path;
 * <li>image list: one path a line, relative to the cropped-face folder.
 * </ul>
 */
final class DevkitFiles {

    /** FaceScrub's probe list: paths and the identity of each. */
    record FacescrubList(List<String> paths, List<String> ids) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DevkitFiles() {
    }

    static FacescrubList readFacescrubList(Path file) throws IOException {
        ObjectNode root = readJsonObject(file, "a FaceScrub list (facescrub_features_list.json)");
        List<String> paths = strings(file, root, "path", "facescrub_features_list.json");
        if (!root.has("id")) {
            throw new DevkitFormatException(file, 0, "no \"id\" list: this looks like a MegaFace distractor list "
                    + "(megaface_features_list.json_<N>_1), not facescrub_features_list.json");
        }
        List<String> ids = strings(file, root, "id", "facescrub_features_list.json");
        if (ids.size() != paths.size()) {
            throw new DevkitFormatException(file, 0, paths.size() + " paths but " + ids.size() + " ids");
        }
        return new FacescrubList(paths, ids);
    }

    static List<String> readMegafaceList(Path file) throws IOException {
        ObjectNode root = readJsonObject(file, "a MegaFace distractor list (megaface_features_list.json_<N>_1)");
        if (root.has("id")) {
            throw new DevkitFormatException(file, 0, "has an \"id\" list: this looks like the FaceScrub list "
                    + "(facescrub_features_list.json), not a MegaFace distractor list");
        }
        return strings(file, root, "path", "megaface_features_list.json_<N>_1");
    }

    private static ObjectNode readJsonObject(Path file, String what) throws IOException {
        String first = firstNonBlank(file);
        if (first == null) {
            throw new DevkitFormatException(file, 0, "is empty; expected " + what);
        }
        if (!first.startsWith("{")) {
            throw new DevkitFormatException(file, 1, "expected " + what + " (a JSON object), found a text line '"
                    + abbreviate(first) + "'");
        }
        JsonNode node;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            node = JSON.readTree(r);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new DevkitFormatException(file, at == null ? 0 : at.getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode o)) {
            throw new DevkitFormatException(file, 1, "expected " + what + " (a JSON object)");
        }
        return o;
    }

    private static List<String> strings(Path file, ObjectNode root, String key, String expected) throws IOException {
        JsonNode a = root.get(key);
        if (a == null) {
            throw new DevkitFormatException(file, 0, "no \"" + key + "\" list; expected " + expected);
        }
        if (!a.isArray()) {
            throw new DevkitFormatException(file, 0, "\"" + key + "\" is not a list");
        }
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode v = a.get(i);
            if (!v.isTextual()) {
                throw new DevkitFormatException(file, 0, "\"" + key + "\"[" + i + "] is not a string: " + v);
            }
            out.add(v.asText());
        }
        return out;
    }

    /**
     * FaceScrub noise list: image file names ({@code Aaron_Eckhart_221.jpg}). FaceX-Zoo keeps every
     * non-{@code #} line, stripped; we also skip blank ones, which can match nothing.
     */
    static Set<String> readFacescrubNoises(Path file) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        int n = 0;
        for (String line : lines(file)) {
            n++;
            if (line.startsWith("#")) {
                continue;
            }
            String name = line.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (name.indexOf('\t') >= 0 || name.indexOf('/') >= 0 || name.startsWith("{")) {
                throw new DevkitFormatException(file, n, "expected an image file name (FaceScrub noise list), found '"
                        + abbreviate(name) + "'" + (name.indexOf('/') >= 0 ? "; is this the MegaFace noise list?" : ""));
            }
            names.add(name);
        }
        return names;
    }

    /**
     * MegaFace noise list: the second TAB-separated field if there are several, else the whole stripped
     * line; each an {@code id1/id2/name.jpg} path.
     */
    static Set<String> readMegafaceNoises(Path file) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        int n = 0;
        for (String line : lines(file)) {
            n++;
            if (line.startsWith("#")) {
                continue;
            }
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            String[] fields = s.split("\t");
            if (fields.length > 1) {
                s = fields[1];
            }
            // an entry of another shape can match nothing, as in FaceX-Zoo; a bare file name means the
            // FaceScrub list was given instead
            if (s.indexOf('/') < 0) {
                throw new DevkitFormatException(file, n, "expected a MegaFace image path id1/id2/name.jpg (MegaFace noise "
                        + "list), found '" + abbreviate(s) + "'; is this the FaceScrub noise list?");
            }
            paths.add(s);
        }
        return paths;
    }

    /** An image list: relative paths, one a line, blank lines skipped. */
    static List<String> readImageList(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String line : lines(file)) {
            n++;
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("{") || s.startsWith("[")) {
                throw new DevkitFormatException(file, n, "expected an image list (one relative image path a line), "
                        + "found JSON; the devkit's JSON lists go in facescrub_list and megaceface_list");
            }
            out.add(normalize(s));
        }
        return out;
    }

    /** Forward slashes, no leading {@code ./}: how paths are compared. */
    static String normalize(String path) {
        String s = path.replace('\\', '/');
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        return s;
    }

    private static List<String> lines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
    }

    private static String firstNonBlank(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    return line.strip();
                }
            }
            return null;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** A devkit file that is not what it should be; the message starts with {@code file:line:}. */
    static final class DevkitFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        DevkitFormatException(Path file, int line, String message) {
            this(file, line, message, null);
        }

        DevkitFormatException(Path file, int line, String message, Throwable cause) {
            super(file + (line > 0 ? ":" + line : "") + ": " + message, cause);
        }
    }
}
