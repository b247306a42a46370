package io.facex.tools;

import io.facex.api.ProtocolResult;
import io.facex.core.jobs.Table;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShallowComparisonTest {

    private static ShallowComparison.Run run(long seed, double conventional, double sst) {
        return new ShallowComparison.Run(seed, new ProtocolResult.Score("LFW", "accuracy", conventional, 0.01),
                new ProtocolResult.Score("LFW", "accuracy", sst, 0.02));
    }

    @Test
    void theTableGivesEachSeedThenTheMeanAndTheSpreadOverSeeds() {
        String md = ShallowComparison.table(List.of(run(0, 0.80, 0.86), run(1, 0.82, 0.85), run(2, 0.84, 0.87)))
                .render(Table.Format.MD);
        assertTrue(md.matches("(?s).*\\| 0 +\\| 0\\.8000 +\\| 0\\.0100 +\\| 0\\.8600 +\\| 0\\.0200 +\\| \\+0\\.0600 .*"), md);
        assertTrue(md.contains("+0.0600"), md);
        // means 0.82 / 0.86, sample sd 0.02 / 0.01, gains 0.06, 0.03, 0.03: mean 0.04, sd 0.0173
        assertTrue(md.matches("(?s).*\\| mean +\\| 0\\.8200 +\\| +\\| 0\\.8600 +\\| +\\| \\+0\\.0400 .*"), md);
        assertTrue(md.matches("(?s).*\\| sd over seeds \\| 0\\.0200 +\\| +\\| 0\\.0100 +\\| +\\| 0\\.0173 .*"), md);
    }

    @Test
    void oneSeedHasNoSpreadRow() {
        String md = ShallowComparison.table(List.of(run(5, 0.8, 0.9))).render(Table.Format.MD);
        assertEquals(3, md.strip().split("\n").length, md); // header, rule, the seed
    }

    @Test
    void sampleStandardDeviation() {
        assertEquals(Math.sqrt(2.5), ShallowComparison.sd(new double[] {1, 2, 3, 4, 5}), 1e-12);
    }
}
