package io.facex.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .npy} file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 512), }}. Parsed as a literal (strings,
 * ints, booleans, tuples, lists, dicts) — never evaluated.
 */
record NpyHeader(Object descr, boolean fortranOrder, long[] shape) {

    static NpyHeader parse(String text, String where) throws WeightsException {
        Object value;
        try {
            Literal p = new Literal(text);
            value = p.value(0);
            p.skipSpace();
            if (p.pos != text.length()) {
                throw new IllegalArgumentException("unexpected text after the dict at " + p.pos);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new WeightsException("cannot read " + where + ": bad .npy header (" + e.getMessage() + "): " + text.strip());
        }
        if (!(value instanceof Map<?, ?> dict) || !dict.containsKey("descr") || !dict.containsKey("shape")) {
            throw new WeightsException("cannot read " + where + ": .npy header lacks descr/shape: " + text.strip());
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new WeightsException("cannot read " + where + ": .npy shape is not a tuple: " + text.strip());
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw new WeightsException("cannot read " + where + ": bad .npy shape " + dims);
            }
            shape[i] = d;
        }
        Object fortran = dict.get("fortran_order");
        return new NpyHeader(dict.get("descr"), Boolean.TRUE.equals(fortran), shape);
    }

    /** Recursive descent over the literal subset NumPy writes; depth is bounded against stack bombs. */
    private static final class Literal {
        private final String s;
        private int pos;

        Literal(String s) {
            this.s = s;
        }

        Object value(int depth) {
            if (depth > 32) {
                throw new IllegalArgumentException("nested too deeply");
            }
            skipSpace();
            char c = s.charAt(pos);
            switch (c) {
                case '{': {
                    pos++;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    while (!closes('}')) {
                        Object k = value(depth + 1);
                        expect(':');
                        m.put(k, value(depth + 1));
                        if (!closes('}')) {
                            expect(',');
                        }
                    }
                    pos++;
                    return m;
                }
                case '(':
                case '[': {
                    char close = c == '(' ? ')' : ']';
                    pos++;
                    List<Object> items = new ArrayList<>();
                    while (!closes(close)) {
                        items.add(value(depth + 1));
                        if (!closes(close)) {
                            expect(',');
                        }
                    }
                    pos++;
                    return items;
                }
                case '\'':
                case '"':
                    return string(c);
                default:
                    return word();
            }
        }

        private Object string(char quote) {
            StringBuilder b = new StringBuilder();
            pos++;
            while (s.charAt(pos) != quote) {
                if (s.charAt(pos) == '\\') {
                    pos++;
                }
                b.append(s.charAt(pos++));
            }
            pos++;
            return b.toString();
        }

        private Object word() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '-')) {
                pos++;
            }
            String w = s.substring(start, pos);
            switch (w) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return null;
                default:
                    String digits = w.endsWith("L") ? w.substring(0, w.length() - 1) : w;
                    try {
                        return Long.parseLong(digits);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unexpected '" + (w.isEmpty() ? s.charAt(pos) : w)
                                + "' at " + start);
                    }
            }
        }

        private boolean closes(char c) {
            skipSpace();
            return s.charAt(pos) == c;
        }

        private void expect(char c) {
            skipSpace();
            if (s.charAt(pos) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + pos);
            }
            pos++;
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
