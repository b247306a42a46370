package io.facex.core.eval;

import io.facex.api.ProtocolResult.PairScore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PairScoresFileTest {

    @Test
    void everyPairIsARowTheSkippedOnesWithAnEmptyScore(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("scores.csv"), "model,benchmark,metric,value,std_error\n");
        try (PairScoresFile f = new PairScoresFile(file)) {
            assertFalse(Files.exists(file), "an earlier run's file is removed");
            f.add("Epoch_1", List.of());
            f.add("Epoch_1", List.of(new PairScore("LFW", "a/a_0001.jpg", "a/a_0002.jpg", true, 0.1f),
                    new PairScore("LFW", "a/a_0001.jpg", "b,c/b_0001.jpg", false, Double.NaN)));
            f.add("Epoch_2", List.of(new PairScore("RFW-Asian", "/x/\"q\".jpg", "/y.jpg", false, -1e-5f)));
            assertEquals(3, f.rows());
            assertEquals(1, f.skipped());
        }
        assertEquals("""
                model,benchmark,image1,image2,label,score
                Epoch_1,LFW,a/a_0001.jpg,a/a_0002.jpg,1,0.1
                Epoch_1,LFW,a/a_0001.jpg,"b,c/b_0001.jpg",0,
                Epoch_2,RFW-Asian,"/x/""q"".jpg",/y.jpg,0,-0.00001
                """, Files.readString(file));
    }

    @Test
    void noPairsNoFile(@TempDir Path dir) throws Exception {
        try (PairScoresFile f = new PairScoresFile(dir.resolve("scores.csv"))) {
            f.add("Epoch_1", List.of());
        }
        assertFalse(Files.exists(dir.resolve("scores.csv")));
    }

    @Test
    void scoresReadBackExactly() {
        assertEquals("0.1", PairScoresFile.format(0.1f));
        assertEquals("0.99999994", PairScoresFile.format(Math.nextDown(1f)));
        assertEquals(0.123456789f, Float.parseFloat(PairScoresFile.format(0.123456789f)));
        assertEquals("0.1", PairScoresFile.format(0.1)); // a double score keeps its own digits
        assertEquals("0.30000000000000004", PairScoresFile.format(0.1 + 0.2));
    }
}
