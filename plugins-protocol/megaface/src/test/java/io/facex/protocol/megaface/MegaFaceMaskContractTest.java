package io.facex.protocol.megaface;

import io.facex.testkit.TestProtocolContract;

/** The protocol contract for MegaFaceMask; MegaFaceProtocolTest runs it end to end. */
class MegaFaceMaskContractTest extends TestProtocolContract<MegaFaceConfig> {

    MegaFaceMaskContractTest() {
        super(new MegaFaceMask());
    }
}
