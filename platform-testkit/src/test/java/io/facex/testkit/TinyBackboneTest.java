package io.facex.testkit;

/** The kit on a plugin that keeps the contract: every check passes. */
class TinyBackboneTest extends BackboneContract<TinyBackbone.Config> {

    TinyBackboneTest() {
        super(new TinyBackbone());
    }
}
