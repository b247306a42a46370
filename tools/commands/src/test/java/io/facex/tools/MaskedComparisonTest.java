package io.facex.tools;

import io.facex.api.ProtocolResult;
import io.facex.core.eval.EvalCommand;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MaskedComparisonTest {

    private static EvalCommand.Row row(String benchmark, String metric, double v) {
        return new EvalCommand.Row("m", new ProtocolResult.Score(benchmark, metric, v, Double.NaN));
    }

    /** A recipe is judged at the most distractors, the hardest setting the devkit has. */
    @Test
    void rankOneIsTakenAtTheLargestDistractorCountOfItsProtocol() {
        List<EvalCommand.Row> rows = List.of(row("MegaFace@10", "rank-1", 0.9), row("MegaFace@1000", "rank-1", 0.5),
                row("MegaFace@1000", "rank-10", 0.8), row("MegaFace@100", "rank-1", 0.7),
                row("MegaFace-Mask@1000", "rank-1", 0.3), row("MegaFace-Mask@10", "rank-1", 0.6));
        assertEquals(0.5, MaskedComparison.rank1(rows, "MegaFace@"));
        assertEquals(0.3, MaskedComparison.rank1(rows, "MegaFace-Mask@"));
        assertThrows(IllegalStateException.class, () -> MaskedComparison.rank1(rows.subList(0, 1), "MegaFace-Mask@"));
    }

    @Test
    void theTableHasOneRowPerRecipe() {
        String csv = MaskedComparison.table(List.of(new MaskedComparison.Row(MaskedComparison.FULL, "a", 0.61234, 0.4),
                new MaskedComparison.Row(MaskedComparison.ENSEMBLE_FULL, "a+b", 0.7, 0.55))).render(io.facex.core.jobs.Table.Format.CSV);
        assertEquals("recipe,MegaFace rank-1,MegaFace-Mask rank-1\n(a) full faces,0.6123,0.4000\n(a)+(b) ensemble,0.7000,0.5500\n",
                csv.replace("\r", ""));
    }
}
