package io.facex.protocol.calfw;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.PairProtocolContract;

/** The protocol contract, end to end on a synthetic data_conf.yaml, and AgeDB-30's file refused as CALFW's list. */
class CalfwTest extends PairProtocolContract {

    CalfwTest() {
        super(new Calfw(), SyntheticBenchmarks.Result::calfw, SyntheticBenchmarks.Result::agedb30,
                "a MATLAB MAT-file (as AgeDB-30's protocol is); expected CALFW's pairs_CALFW.txt");
    }
}
