package io.facex.protocol.megaface;

import io.facex.testkit.TestProtocolContract;

/** The protocol contract for MegaFace; MegaFaceProtocolTest runs it end to end. */
class MegaFaceContractTest extends TestProtocolContract<MegaFaceConfig> {

    MegaFaceContractTest() {
        super(new MegaFace());
    }
}
