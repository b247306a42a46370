package io.facex.protocol.lfw;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.PairProtocolContract;

/** The protocol contract, end to end on a synthetic data_conf.yaml, and AgeDB-30's file refused as LFW's list. */
class LfwTest extends PairProtocolContract {

    LfwTest() {
        super(new Lfw(), SyntheticBenchmarks.Result::lfw, SyntheticBenchmarks.Result::agedb30,
                "a MATLAB MAT-file (as AgeDB-30's protocol is); expected LFW's pairs.txt");
    }
}
