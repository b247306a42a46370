package com.example.tinynet;

import io.facex.api.InvalidConfigException;
import io.facex.testkit.BackboneContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every check FaceX-J makes of a backbone (BackboneContract), and TinyNet's own. */
class TinyNetTest extends BackboneContract<TinyNet.Config> {

    TinyNetTest() {
        super(new TinyNet());
    }

    @Test
    void rejectsAConvolutionWithoutFilters() {
        assertEquals("channels", assertThrows(InvalidConfigException.class,
                () -> new TinyNet().validate(new TinyNet.Config(128, 0))).key());
    }
}
