package io.facex.core.jobs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TableTest {

    private final Table t = new Table("name", "note").add("LFW", "a, \"quoted\" note").add("MegaFace", "x|y");

    @Test
    void rendersEveryFormat() {
        assertEquals("NAME      NOTE\nLFW       a, \"quoted\" note\nMegaFace  x|y\n", t.render(Table.Format.TEXT));
        assertEquals("| name     | note             |\n| -------- | ---------------- |\n"
                + "| LFW      | a, \"quoted\" note |\n| MegaFace | x\\|y             |\n", t.render(Table.Format.MD));
        assertEquals("name,note\nLFW,\"a, \"\"quoted\"\" note\"\nMegaFace,x|y\n", t.render(Table.Format.CSV));
        assertEquals("[ {\n  \"name\" : \"LFW\",\n  \"note\" : \"a, \\\"quoted\\\" note\"\n}, {\n  \"name\" : \"MegaFace\",\n  \"note\" : \"x|y\"\n} ]\n",
                t.render(Table.Format.JSON));
    }

    /** Rows written one at a time quote as the whole table does, line breaks anywhere in a cell included. */
    @Test
    void csvRowsQuoteCommasQuotesAndLineBreaks() {
        assertEquals("LFW,\"a/b,c.jpg\",,1\n", Table.csvRow("LFW", "a/b,c.jpg", null, 1));
        assertEquals("\"x\ny\nz\",\"say \"\"hi\"\"\",\"\r\"\n", Table.csvRow("x\ny\nz", "say \"hi\"", "\r"));
        assertEquals("a\n\"two\nlines\"\n", new Table("a").add("two\nlines").render(Table.Format.CSV));
    }

    @Test
    void unknownFormatIsExplained() {
        assertEquals("unknown format 'xml'; use text, md, csv or json",
                assertThrows(IllegalArgumentException.class, () -> Table.Format.parse("xml")).getMessage());
    }
}
