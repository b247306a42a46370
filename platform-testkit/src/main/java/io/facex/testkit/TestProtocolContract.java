package io.facex.testkit;

import io.facex.api.InvalidConfigException;
import io.facex.api.TestProtocol;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The contract of a {@link TestProtocol}: {@link PluginContract}'s checks, and a configuration naming no
 * files (the defaults: the files come from the benchmark's data_conf.yaml section) is refused by key or
 * as a missing file, never with another exception. End-to-end checks over benchmark files belong to the
 * protocol's own tests (the pair protocols share {@code PairProtocolContract}).
 *
 * @param <C> the protocol's configuration type
 */
public abstract class TestProtocolContract<C> extends PluginContract<C> {

    private final TestProtocol<C> protocol;

    protected TestProtocolContract(TestProtocol<C> protocol) {
        super(protocol);
        this.protocol = protocol;
    }

    @Test
    public void theDefaultsFailCleanlyWhenAskedForImages() {
        try {
            protocol.images(protocol.defaultConfig());
        } catch (InvalidConfigException e) {
            assertFalse(e.key() == null || e.key().isBlank(), protocol.name() + ": the refusal names no key: " + e.getMessage());
        } catch (IOException e) {
            // a default file that is not there: named by the exception
        }
    }
}
