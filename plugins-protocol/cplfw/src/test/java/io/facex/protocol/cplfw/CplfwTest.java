package io.facex.protocol.cplfw;

import io.facex.tools.synthetic.SyntheticBenchmarks;
import io.facex.protocol.verification.PairProtocolContract;

/** The protocol contract, end to end on a synthetic data_conf.yaml, and AgeDB-30's file refused as CPLFW's list. */
class CplfwTest extends PairProtocolContract {

    CplfwTest() {
        super(new Cplfw(), SyntheticBenchmarks.Result::cplfw, SyntheticBenchmarks.Result::agedb30,
                "a MATLAB MAT-file (as AgeDB-30's protocol is); expected CPLFW's pairs_CPLFW.txt");
    }
}
